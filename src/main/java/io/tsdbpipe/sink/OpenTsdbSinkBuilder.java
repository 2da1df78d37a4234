package io.tsdbpipe.sink;

import io.tsdbpipe.deadletter.DeadLetterPublisherFactory;

import org.apache.flink.configuration.ReadableConfig;

import java.time.Duration;

import static org.apache.flink.util.Preconditions.checkArgument;
import static org.apache.flink.util.Preconditions.checkNotNull;

/**
 * Builds an {@link OpenTsdbSink} from the Async Sink framework's limits (batch points, requests in flight, buffered
 * points, time in buffer; each defaults to its {@link OpenTsdbSinkOptions} option) and the required
 * {@link OpenTsdbSinkSettings}:
 *
 * <pre>{@code
 * OpenTsdbSink sink = OpenTsdbSink.builder()
 *         .setSettings(OpenTsdbSinkSettings.builder()
 *                 .setEndpoints("http://tsd1:4242", "http://tsd2:4242")
 *                 .setDeadLetterPublisherFactory(KafkaDeadLetterPublisher.factory(props, "reports-dead-letter"))
 *                 .build())
 *         .setMaxBatchPoints(1000)
 *         .build();
 * }</pre>
 *
 * or, from the job's configuration: {@link #fromConfiguration}. The framework's byte limits are not settings of their
 * own: they follow from {@code max-batch-bytes} and gzip.
 */
public class OpenTsdbSinkBuilder {

    private int maxBatchPoints = OpenTsdbSinkOptions.MAX_BATCH_POINTS.defaultValue();
    private int maxInFlightRequests = OpenTsdbSinkOptions.MAX_IN_FLIGHT_REQUESTS.defaultValue();
    private int maxBufferedPoints = OpenTsdbSinkOptions.MAX_BUFFERED_POINTS.defaultValue();
    private Duration maxTimeInBuffer = OpenTsdbSinkOptions.MAX_TIME_IN_BUFFER.defaultValue();
    private OpenTsdbSinkSettings settings;

    OpenTsdbSinkBuilder() {}

    /**
     * The sink as the configuration ({@link OpenTsdbSinkOptions}) describes it, with the given dead-letter publisher
     * for the points OpenTSDB refuses.
     */
    public static OpenTsdbSink fromConfiguration(ReadableConfig config, DeadLetterPublisherFactory deadLetters) {
        return new OpenTsdbSinkBuilder()
                .configure(config)
                .setSettings(OpenTsdbSinkSettings.builder()
                        .configure(config)
                        .setDeadLetterPublisherFactory(deadLetters)
                        .build())
                .build();
    }

    /** Takes the framework limits set in {@code config}; the settings are {@link OpenTsdbSinkSettings.Builder}'s. */
    public OpenTsdbSinkBuilder configure(ReadableConfig config) {
        config.getOptional(OpenTsdbSinkOptions.MAX_BATCH_POINTS).ifPresent(this::setMaxBatchPoints);
        config.getOptional(OpenTsdbSinkOptions.MAX_IN_FLIGHT_REQUESTS).ifPresent(this::setMaxInFlightRequests);
        config.getOptional(OpenTsdbSinkOptions.MAX_BUFFERED_POINTS).ifPresent(this::setMaxBufferedPoints);
        config.getOptional(OpenTsdbSinkOptions.MAX_TIME_IN_BUFFER).ifPresent(this::setMaxTimeInBuffer);
        return this;
    }

    /** Endpoints, request size, timeouts, retries, authentication, dead letters: required. */
    public OpenTsdbSinkBuilder setSettings(OpenTsdbSinkSettings settings) {
        this.settings = settings;
        return this;
    }

    public OpenTsdbSinkBuilder setMaxBatchPoints(int maxBatchPoints) {
        this.maxBatchPoints = maxBatchPoints;
        return this;
    }

    public OpenTsdbSinkBuilder setMaxInFlightRequests(int maxInFlightRequests) {
        this.maxInFlightRequests = maxInFlightRequests;
        return this;
    }

    public OpenTsdbSinkBuilder setMaxBufferedPoints(int maxBufferedPoints) {
        this.maxBufferedPoints = maxBufferedPoints;
        return this;
    }

    public OpenTsdbSinkBuilder setMaxTimeInBuffer(Duration maxTimeInBuffer) {
        this.maxTimeInBuffer = maxTimeInBuffer;
        return this;
    }

    /** The sink; throws {@link IllegalArgumentException} naming the wrong setting. */
    public OpenTsdbSink build() {
        sanityCheck();
        return new OpenTsdbSink(maxBatchPoints, maxInFlightRequests, maxBufferedPoints, maxTimeInBuffer, settings);
    }

    private void sanityCheck() {
        String p = OpenTsdbSinkOptions.PREFIX;
        checkNotNull(settings, "OpenTsdbSinkSettings are required: endpoints, dead letters, timeouts");
        checkArgument(maxBatchPoints > 0, "%smax-batch-points must be positive, was %s", p, maxBatchPoints);
        checkArgument(maxInFlightRequests > 0,
                "%smax-in-flight-requests must be positive, was %s", p, maxInFlightRequests);
        checkArgument(
                maxBufferedPoints > maxBatchPoints,
                "%smax-buffered-points (%s) must be greater than %smax-batch-points (%s)",
                p, maxBufferedPoints, p, maxBatchPoints);
        checkTimeInBuffer(maxTimeInBuffer);
    }

    /** At least 1 ms: the framework counts milliseconds. Shared with {@link OpenTsdbAnnotationSinkBuilder}. */
    static void checkTimeInBuffer(Duration maxTimeInBuffer) {
        OpenTsdbSinkSettings.checkPositive(maxTimeInBuffer, "max-time-in-buffer");
        checkArgument(maxTimeInBuffer.toMillis() > 0,
                "%smax-time-in-buffer must be at least 1 ms", OpenTsdbSinkOptions.PREFIX);
    }
}
