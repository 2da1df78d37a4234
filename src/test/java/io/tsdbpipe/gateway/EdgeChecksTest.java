package io.tsdbpipe.gateway;

import io.tsdbpipe.channel.Channel;
import io.tsdbpipe.channel.ChannelKind;
import io.tsdbpipe.channel.ChannelTokens;
import io.tsdbpipe.report.BlueKingReportFormat;
import io.tsdbpipe.report.OpenTsdbJsonFormat;
import io.tsdbpipe.report.TbdsReportFormat;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A report the job reads as a BlueKing push passes the token check and the rate limit on every endpoint: /api/put and
 * the flume port (bare, and as a Flume event's body) as on /v2/push/.
 */
class EdgeChecksTest {

    private static final String TOKEN = "9e0c4b1c0a1f4e2d8b7a6c5d4e3f2a1b";
    private static final long DATA_ID = 1500001;

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final Map<Long, Channel> registry = Map.of(DATA_ID, new Channel(DATA_ID, "app", ChannelKind.TIME_SERIES,
            ChannelTokens.sha256(TOKEN), "bk.app", null, 0, -1, null, true, 1));
    private final GatewayMetrics metrics = new GatewayMetrics(() -> 0, () -> true, () -> 1);
    /** One request per second, no burst beyond it. */
    private final EdgeChecks checks = new EdgeChecks(new ChannelAuthenticator(registry::get),
            new ChannelRateLimiter(new RateLimit(1, 0), Map.of(), now::get), () -> true, metrics, 1);

    private static String push(String token) {
        return "{\"data_id\":" + DATA_ID + ",\"access_token\":\"" + token + "\",\"data\":[{\"metrics\":{\"m\":1}}]}";
    }

    private static String envelope(String report) {
        return "[{\"headers\":{\"key\":\"k\"},\"body\":\"" + report.replace("\"", "\\\"") + "\"}]";
    }

    private GatewayRejection refused(Endpoint endpoint, String body) {
        try {
            ReportAdmission.Admitted a = checks.admit(endpoint, body.getBytes(StandardCharsets.UTF_8));
            throw new AssertionError(endpoint + " admitted " + a.records().size() + " records of " + body);
        } catch (GatewayRejection e) {
            return e;
        }
    }

    private void admitted(Endpoint endpoint, String body) throws GatewayRejection {
        assertThat(checks.admit(endpoint, body.getBytes(StandardCharsets.UTF_8)).records()).isNotEmpty();
    }

    @Test
    void aWrongTokenIsRefusedOnEveryEndpoint() {
        for (String body : new String[] {push("WRONG"), envelope(push("WRONG"))}) {
            GatewayRejection e = refused(Endpoint.FLUME, body);
            assertThat(e.reason()).as(body).isEqualTo(RejectionReason.INVALID_TOKEN);
            assertThat(e.status()).isEqualTo(401);
        }
        // /api/put: "metric" makes it look like a datapoint, but the job reads it by data_id, its first field
        String put = "{\"data_id\":" + DATA_ID + ",\"access_token\":\"x\",\"data\":[],\"metric\":\"m\"}";
        assertThat(refused(Endpoint.API_PUT, put).reason()).isEqualTo(RejectionReason.INVALID_TOKEN);
        assertThat(refused(Endpoint.API_PUT, "{\"access_token\":\"x\",\"metric\":\"m\",\"data_id\":7,\"data\":[]}").reason())
                .isEqualTo(RejectionReason.UNKNOWN_CHANNEL);
        assertThat(refused(Endpoint.FLUME, "[" + "{\"body\":\"{}\"}," + envelope(push("WRONG")).substring(1))
                .getMessage()).startsWith("reject invalid token: data_id " + DATA_ID);
    }

    @Test
    void theRateLimitHoldsOnEveryEndpoint() throws GatewayRejection {
        String[][] cases = {
            {"FLUME", push(TOKEN)}, {"FLUME", envelope(push(TOKEN))}, {"API_PUT", push(TOKEN) + " "},
            {"V2_PUSH", push(TOKEN)}};
        for (String[] c : cases) {
            now.addAndGet(2_000_000_000L); // a full bucket again
            Endpoint endpoint = Endpoint.valueOf(c[0]);
            admitted(endpoint, c[1]); // the right token passes
            GatewayRejection e = refused(endpoint, c[1]);
            assertThat(e.reason()).as(c[0] + " " + c[1]).isEqualTo(RejectionReason.RATE_LIMITED);
            assertThat(e.status()).isEqualTo(429);
            assertThat(e.retryAfterSeconds()).isPositive();
        }
    }

    @Test
    void aRefusedTokenCostsTheBatchsOtherChannelsNothing() throws GatewayRejection {
        String batch = "[" + envelope(push(TOKEN)).substring(1, envelope(push(TOKEN)).length() - 1) + ","
                + envelope(push("WRONG")).substring(1);
        assertThat(refused(Endpoint.FLUME, batch).reason()).isEqualTo(RejectionReason.INVALID_TOKEN);
        admitted(Endpoint.FLUME, envelope(push(TOKEN))); // the refused batch took no request of the bucket
    }

    @Test
    void otherReportsNeedNoToken() throws GatewayRejection {
        admitted(Endpoint.API_PUT, "{\"metric\":\"m\",\"timestamp\":1,\"value\":1,\"data_id\":5}");
        admitted(Endpoint.FLUME, "{\"metrics\":{\"m\":1},\"data_id\":5}");
        admitted(Endpoint.FLUME, envelope("{\"access_token\":\"x\",\"host\":\"h\"}")); // no data_id: never a push
        admitted(Endpoint.FLUME, "[{\"metric\":\"m\",\"timestamp\":1,\"value\":1,\"tags\":{\"h\":\"x\"}}]");
    }

    @Test
    void theJobsRuleDecidesWhatIsAPush() {
        assertThat(ReportInspector.readAsBlueKing(bytes("{\"x\":1,\"access_token\":\"t\",\"metric\":\"m\","
                + "\"data_id\":1}"))).isTrue();
        assertThat(ReportInspector.readAsBlueKing(bytes("{\"tags\":{},\"data_id\":1}"))).isFalse();
        assertThat(ReportInspector.readAsBlueKing(bytes("[{\"data_id\":1}]"))).isFalse();
        assertThat(refused(Endpoint.API_PUT, "{\"data_id\":1").reason()).isEqualTo(RejectionReason.INVALID_JSON);
        // the fields are those of the job's formats
        assertThat(ReportInspector.BLUEKING_CLAIMED).isEqualTo(new BlueKingReportFormat(0).topLevelFields());
        Set<String> all = new HashSet<>(new BlueKingReportFormat(0).topLevelFields());
        all.addAll(new OpenTsdbJsonFormat().topLevelFields());
        all.addAll(new TbdsReportFormat(".", java.util.regex.Pattern.compile(".*")).topLevelFields());
        assertThat(ReportInspector.CLAIMED).isEqualTo(all);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
