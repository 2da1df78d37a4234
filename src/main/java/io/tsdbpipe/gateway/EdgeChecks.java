package io.tsdbpipe.gateway;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The gateway's admission of each endpoint's reports, in bk-collector's order for BlueKing: the body's shape, then the
 * channel and token, then the channel's rate limit. The record value is the decompressed body exactly; BlueKing
 * records are keyed by data_id (a channel's series stay on one partition), the others by what the report says or
 * not at all (spread).
 *
 * <p>A report the job would read as a BlueKing push ({@link ReportInspector#readAsBlueKing}) is checked as one on every
 * endpoint: a push on /api/put or the flume port (bare, or as a Flume event's body) must not skip the token and the
 * rate limit only because it came through another door.
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
                if (ReportInspector.readAsBlueKing(body)) {
                    return blueKing(body); // the job reads it as a push, not as the datapoint it may look like
                }
                int datapoints = ReportInspector.openTsdb(body);
                return new Admitted(List.of(new GatewayRecord(null, body, Map.of())), datapoints);
            case FLUME:
                return flume(body);
            default:
                throw new IllegalArgumentException("not a report endpoint: " + endpoint);
        }
    }

    private Admitted blueKing(byte[] body) throws GatewayRejection {
        ReportInspector.BlueKingPush push = ReportInspector.blueKing(body);
        checkChannel(push);
        acquire(push);
        byte[] key = Long.toString(push.dataId()).getBytes(StandardCharsets.UTF_8);
        return new Admitted(List.of(new GatewayRecord(key, body, Map.of())), push.datapoints());
    }

    /**
     * Every record the job would read as a BlueKing push (a bare push, or an event body) is checked as on /v2/push/:
     * every token before any rate limit is charged, so that a refused request costs its channels nothing.
     */
    private Admitted flume(byte[] body) throws GatewayRejection {
        List<GatewayRecord> records = ReportInspector.flume(body);
        List<ReportInspector.BlueKingPush> pushes = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            byte[] value = records.get(i).value();
            if (ReportInspector.readAsBlueKing(value)) {
                ReportInspector.BlueKingPush push;
                try {
                    push = ReportInspector.blueKing(value);
                } catch (GatewayRejection e) {
                    throw records.size() == 1 && value == body ? e
                            : new GatewayRejection(e.reason(), "events[" + i + "]: body: " + e.getMessage());
                }
                checkChannel(push);
                pushes.add(push);
            }
        }
        for (ReportInspector.BlueKingPush push : pushes) {
            acquire(push);
        }
        return new Admitted(records, records.size());
    }

    private void checkChannel(ReportInspector.BlueKingPush push) throws GatewayRejection {
        if (!channelsReady.getAsBoolean()) {
            // an unknown data_id now may be a channel not read yet: 401 would tell the client its token is wrong
            throw new GatewayRejection(RejectionReason.CHANNELS_LOADING,
                    "the gateway is still loading the channel registry, retry later", retryAfterSeconds);
        }
        authenticator.check(push);
    }

    private void acquire(ReportInspector.BlueKingPush push) throws GatewayRejection {
        if (!rateLimiter.tryAcquire(push.dataId(), push.datapoints())) {
            metrics.rateLimited(push.dataId());
            throw new GatewayRejection(RejectionReason.RATE_LIMITED, "ratelimiter rejected the request: data_id "
                    + push.dataId() + " is over its rate limit", retryAfterSeconds);
        }
    }
}
