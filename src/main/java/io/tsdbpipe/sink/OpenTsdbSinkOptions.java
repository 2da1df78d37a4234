package io.tsdbpipe.sink;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.MemorySize;

import java.time.Duration;
import java.util.List;

/**
 * Settings of the OpenTSDB sinks, all under {@code sink.opentsdb.}: the framework limits are read by
 * {@link OpenTsdbSinkBuilder#configure}, the rest by {@link OpenTsdbSinkSettings.Builder#configure}. Each default is
 * here only (the builders start from these) and works against an OpenTSDB 2.4 TSD with default settings.
 */
public final class OpenTsdbSinkOptions {

    private OpenTsdbSinkOptions() {}

    public static final String PREFIX = "sink.opentsdb.";

    public static final ConfigOption<List<String>> ENDPOINTS =
            ConfigOptions.key(PREFIX + "endpoints")
                    .stringType()
                    .asList()
                    .noDefaultValue()
                    .withDescription("Base URLs of the TSDs to write to, separated by ';', e.g. "
                            + "'http://tsd1:4242;https://tsd2:4242' (http or https; a path prefix is kept for a proxy). "
                            + "Requests go round robin to the TSDs that are up; a TSD that fails (connection error, "
                            + "timeout, 5xx) is skipped for " + "'" + PREFIX + "endpoint-cooldown'. Required.");

    /** Typical points: ~450-800 fit into 8 KiB gzip-compressed, so 500 rarely leaves a request half empty. */
    public static final ConfigOption<Integer> MAX_BATCH_POINTS =
            ConfigOptions.key(PREFIX + "max-batch-points")
                    .intType()
                    .defaultValue(500)
                    .withDescription("At most this many datapoints per /api/put request. A request is also bounded by "
                            + "'" + PREFIX + "max-batch-bytes'; with gzip on, about 400-800 typical points fit into "
                            + "the default 8 KiB, without gzip about 60.");

    public static final ConfigOption<MemorySize> MAX_BATCH_BYTES =
            ConfigOptions.key(PREFIX + "max-batch-bytes")
                    .memoryType()
                    .defaultValue(MemorySize.parse("8192b"))
                    .withDescription("At most this many request body bytes on the wire (after gzip). OpenTSDB's HTTP "
                            + "decoder treats any body over 8192 bytes as chunked: a TSD with the default "
                            + "tsd.http.request.enable_chunked=false answers 400 'Chunked request not supported.', and "
                            + "with chunking on but the default tsd.http.request.max_chunk=4096 it closes the "
                            + "connection. The default (8 KiB) therefore works with any TSD. Larger values need, on "
                            + "every TSD, tsd.http.request.enable_chunked=true and tsd.http.request.max_chunk at least "
                            + "this value. Should a TSD refuse a body for its size anyway, the sink halves its limit, "
                            + "splits and resends (down to 8 KiB when the TSD closes connections); no point is dropped. "
                            + "A single point larger than this is dead-lettered.");

    public static final ConfigOption<Integer> MAX_IN_FLIGHT_REQUESTS =
            ConfigOptions.key(PREFIX + "max-in-flight-requests")
                    .intType()
                    .defaultValue(4)
                    .withDescription("Requests per sink subtask that may be in flight at once (new batches and "
                            + "retries alike). When all are busy, the sink buffers, then blocks, back-pressuring the "
                            + "source.");

    public static final ConfigOption<Integer> MAX_BUFFERED_POINTS =
            ConfigOptions.key(PREFIX + "max-buffered-points")
                    .intType()
                    .defaultValue(10_000)
                    .withDescription("Datapoints a sink subtask buffers before it blocks (back-pressure); as many "
                            + "again may wait for a retry (e.g. while the TSDs are down). Both are kept in checkpoints. "
                            + "Must be greater than '" + PREFIX + "max-batch-points'.");

    public static final ConfigOption<Duration> MAX_TIME_IN_BUFFER =
            ConfigOptions.key(PREFIX + "max-time-in-buffer")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(1))
                    .withDescription("A datapoint waits at most this long for its batch to fill before it is sent.");

    public static final ConfigOption<Duration> REQUEST_TIMEOUT =
            ConfigOptions.key(PREFIX + "request-timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(15))
                    .withDescription("Time to connect, and time for an answer to a request; past it the request is "
                            + "retried (possibly on another TSD). Must exceed '" + PREFIX + "sync-timeout' with sync.");

    public static final ConfigOption<Boolean> GZIP =
            ConfigOptions.key(PREFIX + "gzip")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription("Send request bodies gzip-compressed (Content-Encoding: gzip). OpenTSDB 2.4 "
                            + "decompresses them in its HTTP pipeline (Netty's HttpContentDecompressor); the 8 KiB "
                            + "limit applies to the compressed bytes, so a request carries about 8x more points. A "
                            + "body that still compresses above '" + PREFIX + "max-batch-bytes' is split, never sent.");

    public static final ConfigOption<Boolean> SYNC =
            ConfigOptions.key(PREFIX + "sync")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription("Ask the TSD to answer only after the storage write (/api/put?sync). Without it, "
                            + "an acknowledged point is only queued in the TSD (asynchbase buffers writes about 1 s, "
                            + "hbase.rpcs.buffered_flush_interval) and is lost if the TSD process dies in that "
                            + "window; with it, writes are slower (the TSD waits for its HBase flush).");

    public static final ConfigOption<Duration> SYNC_TIMEOUT =
            ConfigOptions.key(PREFIX + "sync-timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(10))
                    .withDescription("With sync: the TSD's sync_timeout; points whose storage write did not finish "
                            + "in time come back as 'Write timedout' and are retried.");

    public static final ConfigOption<Duration> RETRY_INITIAL_BACKOFF =
            ConfigOptions.key(PREFIX + "retry.initial-backoff")
                    .durationType()
                    .defaultValue(Duration.ofMillis(100))
                    .withDescription("Wait before the first retry of a failed request or of points OpenTSDB asked to "
                            + "retry ('Please throttle', 'Timeout exception', 'Storage exception', 'Write timedout'). "
                            + "Doubles per attempt, with jitter. A request failing as a whole (no answer, 5xx, 408, "
                            + "429) is retried without a time limit, one request at a time while it keeps failing; a "
                            + "point refused on its own for up to '" + PREFIX + "max-retry-time'.");

    public static final ConfigOption<Duration> RETRY_MAX_BACKOFF =
            ConfigOptions.key(PREFIX + "retry.max-backoff")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(10))
                    .withDescription("Upper bound of the retry wait (also between two probes of a TSD that is down). "
                            + "Checkpoints never wait for a backoff: points awaiting a retry are checkpoint state.");

    /** Generous: a TSD throttling one series for longer than this is broken, not busy. */
    public static final ConfigOption<Duration> MAX_RETRY_TIME =
            ConfigOptions.key(PREFIX + "max-retry-time")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(30))
                    .withDescription("How long a point OpenTSDB keeps refusing on its own with a retryable error "
                            + "('Please throttle', 'Timeout exception', 'Storage exception', 'Write timedout') while "
                            + "it stores others is retried, from its first refusal; then it is dead-lettered as "
                            + "tsdb_rejected with a message that says so and the last error. A request failing as a "
                            + "whole (TSD unreachable, 5xx) is an outage, retried without a time limit.");

    public static final ConfigOption<Duration> ENDPOINT_COOLDOWN =
            ConfigOptions.key(PREFIX + "endpoint-cooldown")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(5))
                    .withDescription("How long a TSD that failed (connection error, timeout, 5xx) is left out of the "
                            + "rotation. When all TSDs are down, the one whose cool-down ends first is still used.");

    public static final ConfigOption<String> AUTH_BASIC_USERNAME =
            ConfigOptions.key(PREFIX + "auth.basic.username")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("User for HTTP basic authentication (e.g. at a proxy in front of the TSDs); "
                            + "needs '" + PREFIX + "auth.basic.password'. Use https endpoints with it.");

    public static final ConfigOption<String> AUTH_BASIC_PASSWORD =
            ConfigOptions.key(PREFIX + "auth.basic.password")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Password for HTTP basic authentication.");

    public static final ConfigOption<String> AUTH_HEADER_NAME =
            ConfigOptions.key(PREFIX + "auth.header.name")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Name of a header sent with every request, e.g. 'Authorization' for a bearer "
                            + "token or 'X-Api-Key'; needs '" + PREFIX + "auth.header.value'. A 401 or 403 answer "
                            + "fails the job.");

    public static final ConfigOption<String> AUTH_HEADER_VALUE =
            ConfigOptions.key(PREFIX + "auth.header.value")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Value of '" + PREFIX + "auth.header.name'.");
}
