package io.tsdbpipe.job;

import io.tsdbpipe.sink.OpenTsdbSinkSettings;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** The dead-letter topic. Any Kafka producer property can be given as {@code dead-letter.properties.<name>}. */
public final class DeadLetterOptions {

    private DeadLetterOptions() {}

    public static final String PROPERTIES_PREFIX = "dead-letter.properties.";

    public static final ConfigOption<String> TOPIC =
            ConfigOptions.key("dead-letter.topic")
                    .stringType()
                    .defaultValue("reports-dead-letter")
                    .withDescription("Topic that receives every refused report, item and datapoint, with its reason.");

    public static final ConfigOption<String> BOOTSTRAP_SERVERS =
            ConfigOptions.key("dead-letter.bootstrap-servers")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Kafka bootstrap servers of the dead-letter topic; default: source.bootstrap-servers.");

    public static final ConfigOption<Integer> MAX_ITEM_CHARS =
            ConfigOptions.key("dead-letter.max-item-chars")
                    .intType()
                    .defaultValue(OpenTsdbSinkSettings.DEFAULT_DEAD_LETTER_MAX_ITEM_CHARS)
                    .withDescription("The offending item or raw payload is cut to this many characters.");
}
