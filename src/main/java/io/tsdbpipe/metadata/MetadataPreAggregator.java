package io.tsdbpipe.metadata;

import io.tsdbpipe.point.DataPoint;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.function.SerializableFunction;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Summarises the points of one subtask per tenant and metric for a short interval and emits one {@link MetricSummary}
 * (tenant, its bytes) per metric and interval: the metadata stage behind the keyBy then gets a few records per metric
 * and second, not one per point, so neither a hot metric nor a hot tenant loads one subtask with the datapoint rate.
 *
 * <p>Chained after the series stage, it keeps no state: everything it holds is emitted before each checkpoint barrier
 * ({@link #prepareSnapshotPreBarrier}), every interval, when {@value #MAX_PENDING} summaries are pending, and at the
 * end of input. (After a failure the replayed points are counted again: the metadata's counts are at-least-once.)
 */
public final class MetadataPreAggregator extends AbstractStreamOperator<Tuple2<String, byte[]>>
        implements OneInputStreamOperator<DataPoint, Tuple2<String, byte[]>>, BoundedOneInput {

    private static final long serialVersionUID = 1L;

    /** (tenant, {@link MetricSummary#toBytes}) between the pre-aggregator and the metadata stage. */
    public static final TypeInformation<Tuple2<String, byte[]>> SUMMARY_TYPE =
            Types.TUPLE(Types.STRING, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);

    static final int MAX_PENDING = 10_000;

    private final SerializableFunction<DataPoint, String> tenantOf;
    private final int maxValues;
    private final long intervalMillis;

    private transient Map<String, Map<String, MetricSummary>> pending;
    private transient int pendingCount;

    /**
     * @param tenantOf the tenant of a point (null: the point is not described)
     * @param maxValues values kept per dimension
     * @param interval how long points are summarised before they are emitted
     */
    public MetadataPreAggregator(SerializableFunction<DataPoint, String> tenantOf, int maxValues, Duration interval) {
        if (maxValues < 1) {
            throw new IllegalArgumentException("max values per dimension must be at least 1, was " + maxValues);
        }
        this.tenantOf = tenantOf;
        this.maxValues = maxValues;
        this.intervalMillis = Math.max(1L, interval.toMillis());
    }

    @Override
    public void open() throws Exception {
        super.open();
        pending = new HashMap<>();
        getProcessingTimeService().registerTimer(
                getProcessingTimeService().getCurrentProcessingTime() + intervalMillis, this::onInterval);
    }

    @Override
    public void processElement(StreamRecord<DataPoint> element) {
        DataPoint p = element.getValue();
        String tenant = tenantOf.apply(p);
        if (tenant == null) {
            return;
        }
        Map<String, MetricSummary> metrics = pending.computeIfAbsent(tenant, t -> new HashMap<>());
        MetricSummary s = metrics.get(p.metric());
        if (s == null) {
            s = new MetricSummary(tenant, p.metric());
            metrics.put(p.metric(), s);
            pendingCount++;
        }
        s.add(p, getProcessingTimeService().getCurrentProcessingTime(), maxValues);
        if (pendingCount >= MAX_PENDING) {
            flush();
        }
    }

    private void onInterval(long time) {
        flush();
        getProcessingTimeService().registerTimer(time + intervalMillis, this::onInterval);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        flush();
    }

    @Override
    public void endInput() {
        flush();
    }

    private void flush() {
        if (pendingCount == 0) {
            return;
        }
        for (Map.Entry<String, Map<String, MetricSummary>> tenant : pending.entrySet()) {
            for (MetricSummary s : tenant.getValue().values()) {
                output.collect(new StreamRecord<>(Tuple2.of(tenant.getKey(), s.toBytes())));
            }
        }
        pending.clear();
        pendingCount = 0;
    }
}
