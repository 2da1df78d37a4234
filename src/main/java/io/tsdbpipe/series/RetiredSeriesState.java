package io.tsdbpipe.series;

import io.tsdbpipe.point.DataPoint;

import org.apache.flink.api.common.functions.MapFunction;

/**
 * Passes every point on unchanged. It exists only to hold the uid {@code series-guard}, under which versions before
 * the series id kept the series stage's state keyed by the series text: that state cannot be read with the new key
 * type (the stage now runs as {@code series-guard-2}), and without an operator of that uid Flink would refuse to
 * restore such a savepoint at all (short of {@code --allow-non-restored-state}, which would drop any state silently).
 * Being non-keyed, it reads none of it; the next checkpoint no longer holds it.
 */
public final class RetiredSeriesState implements MapFunction<DataPoint, DataPoint> {

    private static final long serialVersionUID = 1L;

    /** The uid of the series stage in versions before the series id. */
    public static final String UID = "series-guard";

    @Override
    public DataPoint map(DataPoint point) {
        return point;
    }
}
