package io.tsdbpipe.job;

import io.tsdbpipe.sink.AnnotationLimits;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.MemorySize;

import java.time.Duration;

/**
 * BlueKing custom events: the count windows, the annotations and the events topic. Any Kafka producer property of the
 * events topic can be given as {@code events.properties.<name>}.
 */
public final class EventOptions {

    private EventOptions() {}

    public static final String PROPERTIES_PREFIX = "events.properties.";

    public static final ConfigOption<Duration> WINDOW =
            ConfigOptions.key("events.window")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(1))
                    .withDescription("Event-time tumbling window of the event counts (whole seconds).");

    public static final ConfigOption<Duration> ALLOWED_LATENESS =
            ConfigOptions.key("events.allowed-lateness")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(30))
                    .withDescription("How long after a window's end (in event time) events still count; the count is"
                            + " written once, then. Later events are dead-lettered as late_event.");

    public static final ConfigOption<Duration> OUT_OF_ORDERNESS =
            ConfigOptions.key("events.out-of-orderness")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(5))
                    .withDescription("The event clock runs this far behind the newest event time seen.");

    public static final ConfigOption<Duration> IDLE_TIMEOUT =
            ConfigOptions.key("events.idle-timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(30))
                    .withDescription("After this long without an event, the event clock follows the processing time"
                            + " (minus this timeout), so the last window before a quiet period closes.");

    public static final ConfigOption<String> TOPIC =
            ConfigOptions.key("events.topic")
                    .stringType()
                    .defaultValue("report-events")
                    .withDescription("Kafka topic that receives every accepted event, enriched with its channel;"
                            + " empty for none.");

    public static final ConfigOption<String> BOOTSTRAP_SERVERS =
            ConfigOptions.key("events.bootstrap-servers")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Kafka bootstrap servers of the events topic; default: source.bootstrap-servers.");

    public static final ConfigOption<Boolean> ANNOTATIONS =
            ConfigOptions.key("events.annotations.enabled")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription("Write every event into the global OpenTSDB annotation of its second.");

    public static final ConfigOption<Integer> ANNOTATION_MAX_EVENTS =
            ConfigOptions.key("events.annotations.max-events")
                    .intType()
                    .defaultValue(AnnotationLimits.DEFAULT_MAX_EVENTS)
                    .withDescription("Events one annotation holds; more are counted in its _overflow entry.");

    public static final ConfigOption<MemorySize> ANNOTATION_MAX_BYTES =
            ConfigOptions.key("events.annotations.max-bytes")
                    .memoryType()
                    .defaultValue(MemorySize.parse(AnnotationLimits.DEFAULT_MAX_BYTES + "b"))
                    .withDescription("JSON size of one annotation (a request is also bounded by"
                            + " sink.opentsdb.max-batch-bytes on the wire); more events are counted as overflow.");

    public static final ConfigOption<Integer> ANNOTATION_MAX_CONTENT_CHARS =
            ConfigOptions.key("events.annotations.max-content-chars")
                    .intType()
                    .defaultValue(AnnotationLimits.DEFAULT_MAX_CONTENT_CHARS)
                    .withDescription("An event's content is cut to this in annotations (the events topic has it all).");
}
