package io.tsdbpipe.job;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** {@code parallelism.*}: the parallelism of each operator, and the max parallelism of keyed state. */
public final class ParallelismOptions {

    private ParallelismOptions() {}

    public static final ConfigOption<Integer> DEFAULT =
            ConfigOptions.key("parallelism.default")
                    .intType()
                    .noDefaultValue()
                    .withDescription("Parallelism of every operator not set below; default: the cluster's.");

    public static final ConfigOption<Integer> SOURCE = parallelism("source");
    public static final ConfigOption<Integer> DECODE = parallelism("decode");
    public static final ConfigOption<Integer> SERIES = parallelism("series");
    public static final ConfigOption<Integer> SINK = parallelism("sink");
    public static final ConfigOption<Integer> DEAD_LETTER = parallelism("dead-letter");
    public static final ConfigOption<Integer> EVENTS = parallelism("events");

    public static final ConfigOption<Integer> MAX =
            ConfigOptions.key("parallelism.max")
                    .intType()
                    .defaultValue(128)
                    .withDescription("Max parallelism (key groups) of keyed state: the limit of future rescaling.");

    private static ConfigOption<Integer> parallelism(String stage) {
        return ConfigOptions.key("parallelism." + stage)
                .intType()
                .noDefaultValue()
                .withDescription("Parallelism of the " + stage + " operator; default: parallelism.default.");
    }
}
