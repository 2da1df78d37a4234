package io.tsdbpipe.deadletter;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

import java.util.EnumMap;
import java.util.Map;

/** One counter per reject reason, as {@code <group>.rejects.<reason>} (a {@code reason} label in Prometheus). */
public final class RejectCounters {

    private RejectCounters() {}

    public static Map<RejectReason, Counter> register(MetricGroup group) {
        Map<RejectReason, Counter> counters = new EnumMap<>(RejectReason.class);
        for (RejectReason r : RejectReason.values()) {
            counters.put(r, group.addGroup("reason", r.code()).counter("rejects"));
        }
        return counters;
    }
}
