package io.tsdbpipe.governance;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** The tenant of a datapoint: whose limits and metrics it counts in (cardinality, rate limits, suppression). */
public final class TenantOptions {

    private TenantOptions() {}

    public static final ConfigOption<TenantBy> BY =
            ConfigOptions.key("tenant.by")
                    .enumType(TenantBy.class)
                    .defaultValue(TenantBy.DATA_ID)
                    .withDescription("data-id (a BlueKing point's data_id, other points their topic), topic, or"
                            + " metric-prefix.");

    public static final ConfigOption<Integer> METRIC_PREFIX_SEGMENTS =
            ConfigOptions.key("tenant.metric-prefix-segments")
                    .intType()
                    .defaultValue(1)
                    .withDescription("With tenant.by metric-prefix: how many dot-separated segments of the metric"
                            + " name the tenant.");
}
