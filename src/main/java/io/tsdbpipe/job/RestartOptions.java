package io.tsdbpipe.job;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

import java.time.Duration;

/** {@code restart.*}: the exponential-delay restart strategy. */
public final class RestartOptions {

    private RestartOptions() {}

    public static final ConfigOption<Duration> INITIAL_BACKOFF =
            ConfigOptions.key("restart.initial-backoff")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(1))
                    .withDescription("Exponential-delay restart strategy: first delay.");

    public static final ConfigOption<Duration> MAX_BACKOFF =
            ConfigOptions.key("restart.max-backoff")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(1))
                    .withDescription("Exponential-delay restart strategy: longest delay.");
}
