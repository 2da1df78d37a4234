package io.tsdbpipe.sink;

import org.apache.flink.configuration.ReadableConfig;

import java.time.Duration;

import static org.apache.flink.util.Preconditions.checkArgument;
import static org.apache.flink.util.Preconditions.checkNotNull;

/**
 * Builds an {@link OpenTsdbAnnotationSink} from the required {@link OpenTsdbSinkSettings} (the same as the datapoint
 * sink's), the {@link AnnotationLimits} of one annotation (default {@link AnnotationLimits#defaults()}) and its buffer
 * limits, which default to the datapoint sink's {@code max-buffered-points} and {@code max-time-in-buffer}:
 *
 * <pre>{@code
 * OpenTsdbAnnotationSink sink = OpenTsdbAnnotationSink.builder()
 *         .setSettings(settings)
 *         .setLimits(new AnnotationLimits(200, 32 * 1024, 512))
 *         .build();
 * }</pre>
 *
 * Batch size, bytes and requests in flight (one, so that no second is written by two requests at once) are fixed.
 */
public class OpenTsdbAnnotationSinkBuilder {

    private OpenTsdbSinkSettings settings;
    private AnnotationLimits limits = AnnotationLimits.defaults();
    private int maxBufferedEvents = OpenTsdbSinkOptions.MAX_BUFFERED_POINTS.defaultValue();
    private Duration maxTimeInBuffer = OpenTsdbSinkOptions.MAX_TIME_IN_BUFFER.defaultValue();

    OpenTsdbAnnotationSinkBuilder() {}

    /** Takes the buffer limits set in {@code config}: those of the datapoint sink. */
    public OpenTsdbAnnotationSinkBuilder configure(ReadableConfig config) {
        config.getOptional(OpenTsdbSinkOptions.MAX_BUFFERED_POINTS).ifPresent(this::setMaxBufferedEvents);
        config.getOptional(OpenTsdbSinkOptions.MAX_TIME_IN_BUFFER).ifPresent(this::setMaxTimeInBuffer);
        return this;
    }

    /** Endpoints, timeouts, retries, authentication, dead letters: required. */
    public OpenTsdbAnnotationSinkBuilder setSettings(OpenTsdbSinkSettings settings) {
        this.settings = settings;
        return this;
    }

    public OpenTsdbAnnotationSinkBuilder setLimits(AnnotationLimits limits) {
        this.limits = limits;
        return this;
    }

    /** Raised to one more than a batch ({@value OpenTsdbAnnotationSink#MAX_BATCH_EVENTS} events) if below. */
    public OpenTsdbAnnotationSinkBuilder setMaxBufferedEvents(int maxBufferedEvents) {
        this.maxBufferedEvents = maxBufferedEvents;
        return this;
    }

    public OpenTsdbAnnotationSinkBuilder setMaxTimeInBuffer(Duration maxTimeInBuffer) {
        this.maxTimeInBuffer = maxTimeInBuffer;
        return this;
    }

    /** The sink; throws {@link IllegalArgumentException} naming the wrong setting. */
    public OpenTsdbAnnotationSink build() {
        checkNotNull(settings, "OpenTsdbSinkSettings are required: endpoints, dead letters, timeouts");
        checkNotNull(limits, "AnnotationLimits are required");
        checkArgument(maxBufferedEvents > 0, "%smax-buffered-points must be positive, was %s",
                OpenTsdbSinkOptions.PREFIX, maxBufferedEvents);
        OpenTsdbSinkBuilder.checkTimeInBuffer(maxTimeInBuffer);
        return new OpenTsdbAnnotationSink(settings, limits,
                Math.max(maxBufferedEvents, OpenTsdbAnnotationSink.MAX_BATCH_EVENTS + 1), maxTimeInBuffer);
    }
}
