package io.tsdbpipe.sink;

import io.tsdbpipe.deadletter.DeadLetterPublisherFactory;

import org.apache.flink.configuration.ReadableConfig;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Builds an {@link OpenTsdbSink}; every setting not given takes its {@code DEFAULT_*}. Only the endpoints and the
 * dead-letter publisher factory are required:
 *
 * <pre>{@code
 * OpenTsdbSink sink = OpenTsdbSink.builder()
 *         .setEndpoints("http://tsd1:4242", "http://tsd2:4242")
 *         .setDeadLetterPublisherFactory(KafkaDeadLetterPublisher.factory(props, "reports-dead-letter"))
 *         .build();
 * }</pre>
 *
 * or, from the job's configuration ({@link OpenTsdbSinkOptions}): {@link #fromConfiguration}.
 */
public class OpenTsdbSinkBuilder {

    /** Typical points: ~450-800 fit into 8 KiB gzip-compressed, so 500 rarely leaves a request half empty. */
    public static final int DEFAULT_MAX_BATCH_POINTS = 500;
    /** Bodies over 8192 bytes are chunked by OpenTSDB's decoder, which a default TSD refuses. */
    public static final int DEFAULT_MAX_BATCH_BYTES = 8192;
    public static final int DEFAULT_MAX_IN_FLIGHT_REQUESTS = 4;
    public static final int DEFAULT_MAX_BUFFERED_POINTS = 10_000;
    public static final Duration DEFAULT_MAX_TIME_IN_BUFFER = Duration.ofSeconds(1);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(15);
    /** OpenTSDB 2.4 takes gzip request bodies; 8x more points per request under the same 8 KiB. */
    public static final boolean DEFAULT_GZIP = true;
    public static final boolean DEFAULT_SYNC = false;
    public static final Duration DEFAULT_SYNC_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_RETRY_INITIAL_BACKOFF = Duration.ofMillis(100);
    public static final Duration DEFAULT_RETRY_MAX_BACKOFF = Duration.ofSeconds(10);
    /** Generous: a TSD throttling one series for longer than this is broken, not busy. */
    public static final Duration DEFAULT_MAX_RETRY_TIME = Duration.ofMinutes(30);
    public static final Duration DEFAULT_ENDPOINT_COOLDOWN = Duration.ofSeconds(5);
    public static final int DEFAULT_DEAD_LETTER_MAX_ITEM_CHARS = 16384;

    private List<String> endpoints;
    private Integer maxBatchPoints;
    private Integer maxBatchBytes;
    private Integer maxInFlightRequests;
    private Integer maxBufferedPoints;
    private Duration maxTimeInBuffer;
    private Duration requestTimeout;
    private Boolean gzip;
    private Boolean sync;
    private Duration syncTimeout;
    private Duration retryInitialBackoff;
    private Duration retryMaxBackoff;
    private Duration maxRetryTime;
    private Duration endpointCooldown;
    private String basicAuthUsername;
    private String basicAuthPassword;
    private String authHeaderName;
    private String authHeaderValue;
    private DeadLetterPublisherFactory deadLetterPublisherFactory;
    private Integer deadLetterMaxItemChars;

    OpenTsdbSinkBuilder() {}

    /**
     * The sink as the configuration ({@link OpenTsdbSinkOptions}) describes it, with the given dead-letter publisher
     * for the points OpenTSDB refuses: the job's wiring in one call.
     */
    public static OpenTsdbSink fromConfiguration(ReadableConfig config, DeadLetterPublisherFactory deadLetters) {
        return new OpenTsdbSinkBuilder().configure(config).setDeadLetterPublisherFactory(deadLetters).build();
    }

    /** Takes every {@link OpenTsdbSinkOptions} option set in {@code config} (later setters still override). */
    public OpenTsdbSinkBuilder configure(ReadableConfig config) {
        config.getOptional(OpenTsdbSinkOptions.ENDPOINTS).ifPresent(this::setEndpoints);
        config.getOptional(OpenTsdbSinkOptions.MAX_BATCH_POINTS).ifPresent(this::setMaxBatchPoints);
        config.getOptional(OpenTsdbSinkOptions.MAX_BATCH_BYTES).ifPresent(m -> setMaxBatchBytes(
                (int) Math.min(Integer.MAX_VALUE, m.getBytes())));
        config.getOptional(OpenTsdbSinkOptions.MAX_IN_FLIGHT_REQUESTS).ifPresent(this::setMaxInFlightRequests);
        config.getOptional(OpenTsdbSinkOptions.MAX_BUFFERED_POINTS).ifPresent(this::setMaxBufferedPoints);
        config.getOptional(OpenTsdbSinkOptions.MAX_TIME_IN_BUFFER).ifPresent(this::setMaxTimeInBuffer);
        config.getOptional(OpenTsdbSinkOptions.REQUEST_TIMEOUT).ifPresent(this::setRequestTimeout);
        config.getOptional(OpenTsdbSinkOptions.GZIP).ifPresent(this::setGzip);
        config.getOptional(OpenTsdbSinkOptions.SYNC).ifPresent(this::setSync);
        config.getOptional(OpenTsdbSinkOptions.SYNC_TIMEOUT).ifPresent(this::setSyncTimeout);
        config.getOptional(OpenTsdbSinkOptions.RETRY_INITIAL_BACKOFF).ifPresent(this::setRetryInitialBackoff);
        config.getOptional(OpenTsdbSinkOptions.RETRY_MAX_BACKOFF).ifPresent(this::setRetryMaxBackoff);
        config.getOptional(OpenTsdbSinkOptions.MAX_RETRY_TIME).ifPresent(this::setMaxRetryTime);
        config.getOptional(OpenTsdbSinkOptions.ENDPOINT_COOLDOWN).ifPresent(this::setEndpointCooldown);
        String user = config.getOptional(OpenTsdbSinkOptions.AUTH_BASIC_USERNAME).orElse(null);
        String password = config.getOptional(OpenTsdbSinkOptions.AUTH_BASIC_PASSWORD).orElse(null);
        if (user != null || password != null) {
            setBasicAuth(user, password);
        }
        String header = config.getOptional(OpenTsdbSinkOptions.AUTH_HEADER_NAME).orElse(null);
        String value = config.getOptional(OpenTsdbSinkOptions.AUTH_HEADER_VALUE).orElse(null);
        if (header != null || value != null) {
            setAuthHeader(header, value);
        }
        return this;
    }

    /** Base URLs of the TSDs, e.g. {@code http://tsd1:4242}. */
    public OpenTsdbSinkBuilder setEndpoints(List<String> endpoints) {
        this.endpoints = endpoints;
        return this;
    }

    public OpenTsdbSinkBuilder setEndpoints(String... endpoints) {
        return setEndpoints(Arrays.asList(endpoints));
    }

    public OpenTsdbSinkBuilder setMaxBatchPoints(int maxBatchPoints) {
        this.maxBatchPoints = maxBatchPoints;
        return this;
    }

    /** Request body bytes on the wire (compressed with gzip); see {@link OpenTsdbSinkOptions#MAX_BATCH_BYTES}. */
    public OpenTsdbSinkBuilder setMaxBatchBytes(int maxBatchBytes) {
        this.maxBatchBytes = maxBatchBytes;
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

    public OpenTsdbSinkBuilder setRequestTimeout(Duration requestTimeout) {
        this.requestTimeout = requestTimeout;
        return this;
    }

    public OpenTsdbSinkBuilder setGzip(boolean gzip) {
        this.gzip = gzip;
        return this;
    }

    public OpenTsdbSinkBuilder setSync(boolean sync) {
        this.sync = sync;
        return this;
    }

    public OpenTsdbSinkBuilder setSyncTimeout(Duration syncTimeout) {
        this.syncTimeout = syncTimeout;
        return this;
    }

    public OpenTsdbSinkBuilder setRetryInitialBackoff(Duration retryInitialBackoff) {
        this.retryInitialBackoff = retryInitialBackoff;
        return this;
    }

    public OpenTsdbSinkBuilder setRetryMaxBackoff(Duration retryMaxBackoff) {
        this.retryMaxBackoff = retryMaxBackoff;
        return this;
    }

    /** How long a point refused on its own with a retryable error is retried before it is dead-lettered. */
    public OpenTsdbSinkBuilder setMaxRetryTime(Duration maxRetryTime) {
        this.maxRetryTime = maxRetryTime;
        return this;
    }

    public OpenTsdbSinkBuilder setEndpointCooldown(Duration endpointCooldown) {
        this.endpointCooldown = endpointCooldown;
        return this;
    }

    /** HTTP basic authentication on every request. */
    public OpenTsdbSinkBuilder setBasicAuth(String username, String password) {
        this.basicAuthUsername = username;
        this.basicAuthPassword = password;
        return this;
    }

    /** A header sent with every request, e.g. {@code ("Authorization", "Bearer ...")} or an API key. */
    public OpenTsdbSinkBuilder setAuthHeader(String name, String value) {
        this.authHeaderName = name;
        this.authHeaderValue = value;
        return this;
    }

    /** Creates, in each writer, the publisher that receives the points OpenTSDB refuses for good. */
    public OpenTsdbSinkBuilder setDeadLetterPublisherFactory(DeadLetterPublisherFactory factory) {
        this.deadLetterPublisherFactory = factory;
        return this;
    }

    public OpenTsdbSinkBuilder setDeadLetterMaxItemChars(int maxItemChars) {
        this.deadLetterMaxItemChars = maxItemChars;
        return this;
    }

    /** The sink; throws {@link IllegalArgumentException} (or NPE for a missing factory) naming the wrong setting. */
    public OpenTsdbSink build() {
        return new OpenTsdbSink(
                or(maxBatchPoints, DEFAULT_MAX_BATCH_POINTS),
                or(maxInFlightRequests, DEFAULT_MAX_IN_FLIGHT_REQUESTS),
                or(maxBufferedPoints, DEFAULT_MAX_BUFFERED_POINTS),
                or(maxTimeInBuffer, DEFAULT_MAX_TIME_IN_BUFFER),
                endpoints,
                or(maxBatchBytes, DEFAULT_MAX_BATCH_BYTES),
                or(gzip, DEFAULT_GZIP),
                or(sync, DEFAULT_SYNC),
                or(syncTimeout, DEFAULT_SYNC_TIMEOUT),
                or(requestTimeout, DEFAULT_REQUEST_TIMEOUT),
                or(retryInitialBackoff, DEFAULT_RETRY_INITIAL_BACKOFF),
                or(retryMaxBackoff, DEFAULT_RETRY_MAX_BACKOFF),
                or(maxRetryTime, DEFAULT_MAX_RETRY_TIME),
                or(endpointCooldown, DEFAULT_ENDPOINT_COOLDOWN),
                basicAuthUsername,
                basicAuthPassword,
                authHeaderName,
                authHeaderValue,
                deadLetterPublisherFactory,
                or(deadLetterMaxItemChars, DEFAULT_DEAD_LETTER_MAX_ITEM_CHARS));
    }

    /**
     * The annotation sink (BlueKing events into {@code /api/annotation}) with every setting of this builder that
     * applies: endpoints, credentials, gzip, request timeout, retries, cool-down, dead-letter publisher, buffer limits.
     */
    public OpenTsdbAnnotationSink buildAnnotationSink(AnnotationLimits limits) {
        return build().annotationSink(limits);
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }
}
