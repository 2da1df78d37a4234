package io.tsdbpipe.gateway;

import io.tsdbpipe.channel.Channel;
import io.tsdbpipe.channel.ChannelKind;
import io.tsdbpipe.channel.ChannelTokens;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

class ChannelAuthenticatorTest {

    private static final String TOKEN = "9e0c4b1c0a1f4e2d8b7a6c5d4e3f2a1b";

    private static Channel channel(long dataId, String token, boolean enabled) {
        return new Channel(dataId, "app", ChannelKind.TIME_SERIES, ChannelTokens.sha256(token), "bk.app", null, 0,
                -1, null, enabled, 1);
    }

    private final Map<Long, Channel> registry = Map.of(
            1500001L, channel(1500001, TOKEN, true),
            1500002L, channel(1500002, TOKEN, false),
            1500003L, Channel.deleted(1500003, 5),
            1500004L, channel(1500004, "t\u00e9st \uD83D\uDE00", true));
    private final ChannelAuthenticator auth = new ChannelAuthenticator(registry::get);

    private static ReportInspector.BlueKingPush push(long dataId, String tokenJson) throws GatewayRejection {
        return ReportInspector.blueKing(("{\"data_id\":" + dataId + ",\"access_token\":\"" + tokenJson
                + "\",\"data\":[]}").getBytes(StandardCharsets.UTF_8));
    }

    private GatewayRejection refused(ReportInspector.BlueKingPush push) {
        try {
            auth.check(push);
        } catch (GatewayRejection e) {
            return e;
        }
        throw new AssertionError("accepted " + push);
    }

    @Test
    void acceptsTheChannelsToken() {
        assertThatCode(() -> auth.check(push(1500001, TOKEN))).doesNotThrowAnyException();
    }

    @Test
    void acceptsEscapesThatDecodeToTheToken() {
        String escaped = "\\u0039e0c" + TOKEN.substring(4, 30) + "\\u0031\\u0062";
        assertThatCode(() -> auth.check(push(1500001, escaped))).doesNotThrowAnyException();
        // a non-ASCII token, raw and escaped (a surrogate pair too)
        assertThatCode(() -> auth.check(push(1500004, "t\u00e9st \uD83D\uDE00"))).doesNotThrowAnyException();
        assertThatCode(() -> auth.check(push(1500004, "t\\u00e9st \\ud83d\\ude00"))).doesNotThrowAnyException();
    }

    @Test
    void refusesOtherSpellingsOfTheToken() throws GatewayRejection {
        for (String other : new String[] {TOKEN.toUpperCase(), " " + TOKEN, TOKEN + " ", TOKEN + "\\n",
                TOKEN.substring(1), "", "te\\u0301st"}) {
            GatewayRejection e = refused(push(1500001, other));
            assertThat(e.reason()).as(other).isEqualTo(RejectionReason.INVALID_TOKEN);
        }
        // the NFD form of é is another string
        assertThat(refused(push(1500004, "te\\u0301st \\ud83d\\ude00")).reason())
                .isEqualTo(RejectionReason.INVALID_TOKEN);
    }

    @Test
    void tellsTheReasonsApartInTheCodeOnly() throws GatewayRejection {
        GatewayRejection unknown = refused(push(7, TOKEN));
        GatewayRejection disabled = refused(push(1500002, TOKEN));
        GatewayRejection deleted = refused(push(1500003, TOKEN));
        GatewayRejection wrong = refused(push(1500001, "nope"));
        assertThat(unknown.reason()).isEqualTo(RejectionReason.UNKNOWN_CHANNEL);
        assertThat(disabled.reason()).isEqualTo(RejectionReason.CHANNEL_DISABLED);
        assertThat(deleted.reason()).isEqualTo(RejectionReason.CHANNEL_DISABLED);
        assertThat(wrong.reason()).isEqualTo(RejectionReason.INVALID_TOKEN);
        assertThat(unknown.getMessage())
                .isEqualTo("reject invalid token: data_id 7 with this access_token is not an enabled channel");
        assertThat(wrong.getMessage()).isEqualTo(
                "reject invalid token: data_id 1500001 with this access_token is not an enabled channel");
        for (GatewayRejection e : new GatewayRejection[] {unknown, disabled, deleted, wrong}) {
            assertThat(e.status()).isEqualTo(401);
            assertThat(e.getMessage()).doesNotContain(TOKEN.substring(0, 8)).doesNotContain("nope");
        }
    }
}
