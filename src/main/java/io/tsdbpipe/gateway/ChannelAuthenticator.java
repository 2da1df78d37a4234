package io.tsdbpipe.gateway;

import io.tsdbpipe.channel.ChannelLookup;

/**
 * Checks a push's data_id and access token against the channel registry, as bk-collector does before it takes a
 * request; the job checks them again. Thread-safe.
 */
public final class ChannelAuthenticator {

    private final ChannelLookup channels;

    public ChannelAuthenticator(ChannelLookup channels) {
        this.channels = channels;
    }

    /**
     * @throws GatewayRejection 401: unknown channel, disabled channel or wrong token; the message names the data_id,
     *     never the token
     */
    public void check(ReportInspector.BlueKingPush push) throws GatewayRejection {
        throw new UnsupportedOperationException("not yet");
    }
}
