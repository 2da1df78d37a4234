package io.tsdbpipe.gateway;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The gateway's admission of each endpoint's reports, in bk-collector's order for BlueKing: the body's shape, then the
 * channel and token, then the channel's rate limit. The record value is the decompressed body exactly; BlueKing
 * records are keyed by data_id (a channel's series stay on one partition), the others by what the report says or
 * not at all (spread).
 */
final class EdgeChecks implements ReportAdmission {

    private final ChannelAuthenticator authenticator;
    private final ChannelRateLimiter rateLimiter;
    private final BooleanSupplier channelsReady;
    private final GatewayMetrics metrics;
    private final int retryAfterSeconds;

    EdgeChecks(ChannelAuthenticator authenticator, ChannelRateLimiter rateLimiter, BooleanSupplier channelsReady,
            GatewayMetrics metrics, int retryAfterSeconds) {
        this.authenticator = authenticator;
        this.rateLimiter = rateLimiter;
        this.channelsReady = channelsReady;
        this.metrics = metrics;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    @Override
    public Admitted admit(Endpoint endpoint, byte[] body) throws GatewayRejection {
        switch (endpoint) {
            case V2_PUSH:
                return blueKing(body);
            case API_PUT:
                int datapoints = ReportInspector.openTsdb(body);
                return new Admitted(List.of(new GatewayRecord(null, body, Map.of())), datapoints);
            case FLUME:
                List<GatewayRecord> records = ReportInspector.flume(body);
                return new Admitted(records, records.size());
            default:
                throw new IllegalArgumentException("not a report endpoint: " + endpoint);
        }
    }

    private Admitted blueKing(byte[] body) throws GatewayRejection {
        ReportInspector.BlueKingPush push = ReportInspector.blueKing(body);
        if (!channelsReady.getAsBoolean()) {
            // an unknown data_id now may be a channel not read yet: 401 would tell the client its token is wrong
            throw new GatewayRejection(RejectionReason.CHANNELS_LOADING,
                    "the gateway is still loading the channel registry, retry later", retryAfterSeconds);
        }
        authenticator.check(push);
        if (!rateLimiter.tryAcquire(push.dataId(), push.datapoints())) {
            metrics.rateLimited(push.dataId());
            throw new GatewayRejection(RejectionReason.RATE_LIMITED, "ratelimiter rejected the request: data_id "
                    + push.dataId() + " is over its rate limit", retryAfterSeconds);
        }
        byte[] key = Long.toString(push.dataId()).getBytes(StandardCharsets.UTF_8);
        return new Admitted(List.of(new GatewayRecord(key, body, Map.of())), push.datapoints());
    }
}
