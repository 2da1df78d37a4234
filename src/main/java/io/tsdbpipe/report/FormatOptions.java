package io.tsdbpipe.report;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

import java.time.Duration;
import java.util.List;

/** {@code formats.*}: which report formats the job recognises, and the settings of each. */
public final class FormatOptions {

    private FormatOptions() {}

    public static final ConfigOption<List<String>> ENABLED =
            ConfigOptions.key("formats.enabled")
                    .stringType()
                    .asList()
                    .defaultValues("tbds", "opentsdb", "blueking")
                    .withDescription("Report formats to recognise: tbds, opentsdb, blueking (mappings are extra).");

    public static final ConfigOption<Duration> BLUEKING_MAX_FUTURE =
            ConfigOptions.key("formats.blueking.max-future")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(3600))
                    .withDescription("bk-monitor's max_future_time_offset for channels that set none: BlueKing"
                            + " timestamps further ahead of the processing time are refused.");

    public static final ConfigOption<String> TBDS_SEPARATOR =
            ConfigOptions.key("formats.tbds.metric-separator")
                    .stringType()
                    .defaultValue(".")
                    .withDescription("Put between appid and metricname to form the metric name.");

    public static final ConfigOption<String> TBDS_HOSTNAME_PATTERN =
            ConfigOptions.key("formats.tbds.hostname-pattern")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("The cluster's hostname rule: a Java regex the whole hostname must match.");
}
