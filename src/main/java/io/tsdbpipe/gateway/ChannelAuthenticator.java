package io.tsdbpipe.gateway;

import io.tsdbpipe.channel.Channel;
import io.tsdbpipe.channel.ChannelLookup;
import io.tsdbpipe.channel.ChannelTokens;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Checks a push's data_id and access token against the channel registry, as bk-collector does before it takes a
 * request; the job checks them again. Thread-safe.
 *
 * <p>The token is compared as the job compares it: the SHA-256 of its UTF-8 bytes (as decoded from the JSON, so
 * JSON unicode escapes count as the characters they stand for) against the channel's hash, in constant time. The three
 * refusals answer the same message, so that a client cannot tell an unknown data_id from a wrong token; the reason code
 * (a metrics label) tells them apart.
 */
public final class ChannelAuthenticator {

    /** {@link MessageDigest}s are not thread-safe; one per request thread. */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(ChannelTokens::newDigest);

    private final ChannelLookup channels;

    public ChannelAuthenticator(ChannelLookup channels) {
        this.channels = channels;
    }

    /**
     * @throws GatewayRejection 401: unknown channel, disabled channel or wrong token; the message names the data_id,
     *     never the token
     */
    public void check(ReportInspector.BlueKingPush push) throws GatewayRejection {
        Channel c = channels.channel(push.dataId());
        RejectionReason refused;
        if (c == null) {
            refused = RejectionReason.UNKNOWN_CHANNEL;
        } else if (!c.enabled()) {
            refused = RejectionReason.CHANNEL_DISABLED;
        } else if (!c.tokenMatches(sha256(push.accessToken()))) {
            refused = RejectionReason.INVALID_TOKEN;
        } else {
            return;
        }
        throw new GatewayRejection(refused, "reject invalid token: data_id " + push.dataId()
                + " with this access_token is not an enabled channel");
    }

    private static byte[] sha256(String token) {
        MessageDigest digest = SHA256.get();
        digest.reset();
        return digest.digest(token.getBytes(StandardCharsets.UTF_8));
    }
}
