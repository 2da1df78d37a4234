package io.tsdbpipe.job;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * {@code job.*}: the job's name; and {@code flink.<flink key>}, any other Flink option (e.g.
 * {@code flink.state.backend.type: rocksdb}).
 */
public final class JobOptions {

    private JobOptions() {}

    public static final String FLINK_PREFIX = "flink.";

    public static final ConfigOption<String> NAME =
            ConfigOptions.key("job.name")
                    .stringType()
                    .defaultValue("tsdb-report-pipeline")
                    .withDescription("The Flink job name.");
}
