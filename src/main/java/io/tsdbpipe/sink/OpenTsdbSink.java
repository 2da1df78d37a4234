package io.tsdbpipe.sink;

import io.tsdbpipe.deadletter.DeadLetterPublisherFactory;
import io.tsdbpipe.point.DataPoint;

import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.config.AsyncSinkWriterConfiguration;
import org.apache.flink.core.io.SimpleVersionedSerializer;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import static org.apache.flink.util.Preconditions.checkArgument;
import static org.apache.flink.util.Preconditions.checkNotNull;

/**
 * Writes {@link DataPoint}s to OpenTSDB 2.4 over HTTP ({@code POST /api/put?details}), on Flink's Async Sink framework.
 *
 * <ul>
 *   <li>Batches are bounded by point count and by request bytes on the wire (8 KiB by default, what a default TSD
 *       takes; gzip on by default multiplies the points per request).
 *   <li>Several TSDs: round robin over those up; a failing TSD is left out for a cool-down.
 *   <li>Connection errors, timeouts, 5xx and 408/429 are retried with exponential backoff and jitter, without limit
 *       (an outage: new points wait in the writer's retry queue while one request at a time probes the TSD); the
 *       per-point errors of a TSD under load for at most {@code max-retry-time}, then dead-lettered. Unsent points
 *       are bounded, so a dead TSD back-pressures the source.
 *   <li>Points OpenTSDB refuses for good (e.g. "Unknown metric") are published to the dead-letter publisher as
 *       {@code tsdb_rejected} with OpenTSDB's text; the other points of the batch count as written.
 *   <li>At-least-once: a checkpoint completes only when no request is in flight and every dead letter is flushed;
 *       unsent points (buffered or awaiting a retry) are in the checkpoint. While the TSDs answer, a checkpoint sends
 *       the buffer first. A replay rewrites the same values, which OpenTSDB takes as a no-op.
 *   <li>The job fails only on what no retry fixes: 401/403, a 404 (read-only TSD or wrong URL), 405, 415, a redirect,
 *       other 4xx, or a TLS certificate that does not validate.
 * </ul>
 *
 * Metrics: {@link OpenTsdbSinkMetrics}. Settings: {@link OpenTsdbSinkOptions}, {@link OpenTsdbSinkBuilder}.
 */
public class OpenTsdbSink extends OpenTsdbAsyncSinkBase<DataPoint, OpenTsdbPutEntry> {

    private static final long serialVersionUID = 1L;

    /** Headers the JDK HTTP client sets itself and refuses from callers. */
    private static final Set<String> RESTRICTED_HEADERS =
            Set.of("connection", "content-length", "expect", "host", "upgrade", "content-encoding", "content-type");

    private final OpenTsdbWriterSettings settings;

    OpenTsdbSink(
            int maxBatchPoints,
            int maxInFlightRequests,
            int maxBufferedPoints,
            Duration maxTimeInBuffer,
            List<String> endpoints,
            int maxBatchBytes,
            boolean gzip,
            boolean sync,
            Duration syncTimeout,
            Duration requestTimeout,
            Duration retryInitialBackoff,
            Duration retryMaxBackoff,
            Duration maxRetryTime,
            Duration endpointCooldown,
            String basicAuthUsername,
            String basicAuthPassword,
            String authHeaderName,
            String authHeaderValue,
            DeadLetterPublisherFactory deadLetterPublisherFactory,
            int deadLetterMaxItemChars) {
        super(
                new OpenTsdbElementConverter(),
                maxBatchPoints,
                maxInFlightRequests,
                maxBufferedPoints,
                Math.max(1, RequestSizer.rawLimit(maxBatchBytes, gzip)),
                maxTimeInBuffer.toMillis(),
                OpenTsdbSinkWriter.MAX_ACCOUNTED_ENTRY_BYTES,
                frameworkTimeoutMillis(requestTimeout, retryMaxBackoff),
                false);
        String p = OpenTsdbSinkOptions.PREFIX;
        checkArgument(maxBatchPoints > 0, "%smax-batch-points must be positive, was %s", p, maxBatchPoints);
        checkArgument(
                maxBatchBytes >= RequestSizer.MIN_WIRE_BYTES,
                "%smax-batch-bytes must be at least %s bytes (a request holds at least one point), was %s",
                p, RequestSizer.MIN_WIRE_BYTES, maxBatchBytes);
        checkArgument(
                maxBatchBytes <= Integer.MAX_VALUE / RequestSizer.MAX_GZIP_RATIO,
                "%smax-batch-bytes is too large: %s", p, maxBatchBytes);
        checkArgument(maxInFlightRequests > 0,
                "%smax-in-flight-requests must be positive, was %s", p, maxInFlightRequests);
        checkArgument(
                maxBufferedPoints > maxBatchPoints,
                "%smax-buffered-points (%s) must be greater than %smax-batch-points (%s)",
                p, maxBufferedPoints, p, maxBatchPoints);
        checkPositive(maxTimeInBuffer, "max-time-in-buffer");
        checkArgument(maxTimeInBuffer.toMillis() > 0, "%smax-time-in-buffer must be at least 1 ms", p);
        checkPositive(requestTimeout, "request-timeout");
        checkPositive(retryInitialBackoff, "retry.initial-backoff");
        checkPositive(retryMaxBackoff, "retry.max-backoff");
        checkArgument(
                retryMaxBackoff.compareTo(retryInitialBackoff) >= 0,
                "%sretry.max-backoff (%s) must not be below %sretry.initial-backoff (%s)",
                p, retryMaxBackoff, p, retryInitialBackoff);
        checkPositive(maxRetryTime, "max-retry-time");
        checkArgument(endpointCooldown != null && !endpointCooldown.isNegative(),
                "%sendpoint-cooldown must not be negative, was %s", p, endpointCooldown);
        if (sync) {
            checkPositive(syncTimeout, "sync-timeout");
            checkArgument(
                    requestTimeout.compareTo(syncTimeout) > 0,
                    "%srequest-timeout (%s) must be longer than %ssync-timeout (%s), or every slow sync write "
                            + "times out on the client first",
                    p, requestTimeout, p, syncTimeout);
        }
        checkArgument((basicAuthUsername == null) == (basicAuthPassword == null),
                "%sauth.basic.username and %sauth.basic.password must be set together", p, p);
        checkArgument((authHeaderName == null) == (authHeaderValue == null),
                "%sauth.header.name and %sauth.header.value must be set together", p, p);
        if (authHeaderName != null) {
            checkArgument(!authHeaderName.isBlank() && authHeaderName.chars().allMatch(c -> c > 32 && c < 127
                            && c != ':'),
                    "%sauth.header.name is not a valid header name: '%s'", p, authHeaderName);
            checkArgument(!RESTRICTED_HEADERS.contains(authHeaderName.toLowerCase(Locale.ROOT)),
                    "%sauth.header.name cannot be '%s': the sink sets that header itself", p, authHeaderName);
            checkArgument(basicAuthUsername == null || !authHeaderName.equalsIgnoreCase("Authorization"),
                    "Set either %sauth.basic.* or an 'Authorization' %sauth.header.*, not both", p, p);
        }
        checkArgument(deadLetterMaxItemChars > 0,
                "%sdead-letter.max-item-chars must be positive, was %s", p, deadLetterMaxItemChars);
        checkNotNull(deadLetterPublisherFactory,
                "A dead-letter publisher factory is required: the sink hands it the points OpenTSDB refuses");
        this.settings = new OpenTsdbWriterSettings(
                normalizeEndpoints(endpoints),
                maxBatchBytes,
                gzip,
                sync,
                syncTimeout,
                requestTimeout,
                retryInitialBackoff,
                retryMaxBackoff,
                maxRetryTime,
                endpointCooldown,
                basicAuthUsername,
                basicAuthPassword,
                authHeaderName,
                authHeaderValue,
                deadLetterPublisherFactory,
                deadLetterMaxItemChars);
    }

    public static OpenTsdbSinkBuilder builder() {
        return new OpenTsdbSinkBuilder();
    }

    @Override
    public StatefulSinkWriter<DataPoint, BufferedRequestState<OpenTsdbPutEntry>> createWriter(
            WriterInitContext context) {
        return restoreWriter(context, Collections.emptyList());
    }

    @Override
    public StatefulSinkWriter<DataPoint, BufferedRequestState<OpenTsdbPutEntry>> restoreWriter(
            WriterInitContext context, Collection<BufferedRequestState<OpenTsdbPutEntry>> recoveredState) {
        AsyncSinkWriterConfiguration configuration = writerConfiguration();
        return new OpenTsdbSinkWriter(getElementConverter(), context, configuration, settings, recoveredState);
    }

    @Override
    public SimpleVersionedSerializer<BufferedRequestState<OpenTsdbPutEntry>> getWriterStateSerializer() {
        return new OpenTsdbWriterStateSerializer();
    }

    OpenTsdbWriterSettings settings() {
        return settings;
    }

    /** The annotation sink with this sink's endpoints, credentials, gzip, timeouts and retry settings. */
    OpenTsdbAnnotationSink annotationSink(AnnotationLimits limits) {
        return new OpenTsdbAnnotationSink(settings, limits, getMaxBufferedRequests(),
                Duration.ofMillis(getMaxTimeInBufferMS()), getRequestTimeoutMS());
    }

    /**
     * The framework's own request timeout is only a safety net (it would re-queue a batch whose handler never got
     * called): the writer times requests out itself, and a batch may take a few requests one after another.
     */
    private static long frameworkTimeoutMillis(Duration requestTimeout, Duration retryMaxBackoff) {
        long ms = 10 * (requestTimeout.toMillis() + retryMaxBackoff.toMillis());
        return Math.max(60_000L, ms);
    }

    private static void checkPositive(Duration d, String key) {
        checkArgument(d != null && !d.isNegative() && !d.isZero(),
                "%s%s must be positive, was %s", OpenTsdbSinkOptions.PREFIX, key, d);
    }

    /** Checks each base URL and drops a trailing slash, so that the put URL is {@code base + "/api/put?..."}. */
    static List<String> normalizeEndpoints(List<String> endpoints) {
        String key = OpenTsdbSinkOptions.ENDPOINTS.key();
        checkArgument(endpoints != null && !endpoints.isEmpty(), "%s is required: the base URLs of the TSDs", key);
        List<String> result = new ArrayList<>(endpoints.size());
        for (String raw : endpoints) {
            String s = raw == null ? "" : raw.trim();
            URI uri;
            try {
                uri = new URI(s);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException(key + ": '" + s + "' is not a URL: " + e.getMessage(), e);
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            checkArgument(scheme.equals("http") || scheme.equals("https"),
                    "%s: '%s' must start with http:// or https://", key, s);
            checkArgument(uri.getHost() != null, "%s: '%s' has no host", key, s);
            checkArgument(uri.getRawQuery() == null && uri.getRawFragment() == null,
                    "%s: '%s' must be a base URL without query or fragment (the sink adds /api/put?details)", key, s);
            checkArgument(uri.getRawUserInfo() == null,
                    "%s: '%s' must not carry credentials; use %sauth.basic.*", key, s, OpenTsdbSinkOptions.PREFIX);
            while (s.endsWith("/")) {
                s = s.substring(0, s.length() - 1);
            }
            checkArgument(!s.endsWith("/api/put"),
                    "%s: '%s' must be the TSD's base URL, without /api/put", key, s);
            result.add(s);
        }
        return result;
    }
}
