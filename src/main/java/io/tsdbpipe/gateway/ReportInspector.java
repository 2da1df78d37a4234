package io.tsdbpipe.gateway;

import java.util.List;

/**
 * The gateway's edge checks of one request body (already decompressed): well-formed UTF-8 JSON of the shape the
 * endpoint takes, and what the records to produce are. The same rules as the job where they overlap; deep validation
 * (datapoint rules) stays in the job. Stateless and thread-safe.
 */
public final class ReportInspector {

    private ReportInspector() {}

    /**
     * A BlueKing push body ({@code {"data_id":N,"access_token":"...","data":[...]}}).
     *
     * @param items the entries of {@code data}
     * @param datapoints what the rate limit counts: the metrics of each time series item, 1 per event item
     */
    public record BlueKingPush(long dataId, String accessToken, int items, int datapoints) {}

    /** @throws GatewayRejection 400 for an empty, non-UTF-8, malformed or wrongly shaped body */
    public static BlueKingPush blueKing(byte[] body) throws GatewayRejection {
        throw new UnsupportedOperationException("not yet");
    }

    /**
     * What the Flume HTTP source's JSON handler takes ({@code [{"headers":{...},"body":"<report>"}]}: one record per
     * event, its body as the value and its headers as record headers), or a bare report object (one record).
     *
     * @throws GatewayRejection 400 for an empty, non-UTF-8 or malformed body, or an event body that is not JSON
     */
    public static List<GatewayRecord> flume(byte[] body) throws GatewayRejection {
        throw new UnsupportedOperationException("not yet");
    }

    /**
     * An OpenTSDB {@code /api/put} body: one datapoint object or an array of them.
     *
     * @return the number of datapoints
     * @throws GatewayRejection 400 for an empty, non-UTF-8, malformed or wrongly shaped body
     */
    public static int openTsdb(byte[] body) throws GatewayRejection {
        throw new UnsupportedOperationException("not yet");
    }
}
