package io.tsdbpipe.governance;

import java.util.Locale;

/** What makes the tenant of a datapoint ({@code tenant.by}). */
public enum TenantBy {
    /** A BlueKing point's data_id (its channel); any other point's topic. */
    DATA_ID,
    /** The Kafka topic the point's report came from. */
    TOPIC,
    /** The first {@code tenant.metric-prefix-segments} dot-separated segments of the metric. */
    METRIC_PREFIX;

    /** The configuration's spelling ({@code data-id}); Flink parses enum options by {@code toString()}. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
