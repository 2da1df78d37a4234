package io.tsdbpipe.job;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

import java.util.List;

/**
 * Configurable mappings for records of any other JSON shape: {@code mappings.<name>.<field>} (see
 * {@link io.tsdbpipe.report.ReportMappings}), bound to topics or tried in {@link #ORDER}.
 */
public final class MappingOptions {

    private MappingOptions() {}

    /** Mappings: {@code mappings.<name>.<field>}, validated by the job at start. */
    public static final String PREFIX = "mappings.";

    public static final ConfigOption<List<String>> ORDER =
            ConfigOptions.key("mappings.order")
                    .stringType()
                    .asList()
                    .noDefaultValue()
                    .withDescription("Mappings tried, in this order, on records of no built-in shape; default: every"
                            + " mapping not bound to a topic, by name.");
}
