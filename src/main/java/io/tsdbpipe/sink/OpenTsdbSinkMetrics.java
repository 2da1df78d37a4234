package io.tsdbpipe.sink;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

import java.util.function.IntSupplier;

/**
 * A sink's metrics, in the group {@value #GROUP} of the put sink writer's metric group (so e.g.
 * {@code <operator>.opentsdb.pointsWritten}), or {@code annotations} for the annotation sink (whose unit is
 * {@code events}: {@code eventsWritten}, ...). Updated from HTTP callback threads, hence thread-safe counters.
 *
 * <ul>
 *   <li>{@value #POINTS_WRITTEN} (counter): points OpenTSDB acknowledged (stored, or queued without {@code sync}).
 *   <li>{@value #POINTS_RETRIED} (counter): points sent again after a failure (each retry counts).
 *   <li>{@value #POINTS_DEAD_LETTERED} (counter): points OpenTSDB refused for good, sent to the dead-letter publisher.
 *   <li>{@value #POINTS_RETRY_EXPIRED} (counter): of those, points refused one by one with a retryable error for longer
 *       than {@code sink.opentsdb.max-retry-time}.
 *   <li>{@value #POINTS_AWAITING_RETRY} (gauge): points in the writer's retry queue (checkpoint state), e.g. during an
 *       outage.
 *   <li>{@value #REQUESTS_2XX}, {@value #REQUESTS_4XX}, {@value #REQUESTS_5XX} (counters): answers by status class;
 *       {@value #REQUESTS_ERROR} (counter): requests without an answer (connection refused or lost, timeout).
 *   <li>{@value #REQUEST_LATENCY} (histogram, ms, last 500 requests) and {@value #LAST_REQUEST_LATENCY} (gauge, ms).
 *   <li>{@value #IN_FLIGHT_REQUESTS} (gauge): requests sent and not answered yet.
 *   <li>{@value #ENDPOINT_DOWN_EVENTS} (counter): times a TSD was taken out of rotation for the cool-down.
 *   <li>{@value #ENDPOINT_REFUSALS} (counter): times a TSD was taken out of rotation until the task restarts, for
 *       answering what no retry changes (401/403, 404, 405, 415, a redirect, a TLS failure);
 *       {@value #ENDPOINTS_REFUSING} (gauge): how many are out like that now.
 *   <li>{@value #BYTES_SENT} (counter): request body bytes on the wire (compressed with gzip).
 *   <li>{@value #MAX_REQUEST_BYTES} (gauge): the current request size limit (below max-batch-bytes after a TSD
 *       refused a body for its size).
 * </ul>
 */
final class OpenTsdbSinkMetrics {

    static final String GROUP = "opentsdb";
    static final String POINTS_WRITTEN = "pointsWritten";
    static final String POINTS_RETRIED = "pointsRetried";
    static final String POINTS_DEAD_LETTERED = "pointsDeadLettered";
    static final String POINTS_RETRY_EXPIRED = "pointsRetryExpired";
    static final String POINTS_AWAITING_RETRY = "pointsAwaitingRetry";
    static final String WRITTEN = "Written";
    static final String RETRIED = "Retried";
    static final String DEAD_LETTERED = "DeadLettered";
    static final String RETRY_EXPIRED = "RetryExpired";
    static final String AWAITING_RETRY = "AwaitingRetry";
    static final String REQUESTS_2XX = "requests2xx";
    static final String REQUESTS_4XX = "requests4xx";
    static final String REQUESTS_5XX = "requests5xx";
    static final String REQUESTS_ERROR = "requestsError";
    static final String REQUEST_LATENCY = "requestLatencyMs";
    static final String LAST_REQUEST_LATENCY = "lastRequestLatencyMs";
    static final String IN_FLIGHT_REQUESTS = "inFlightRequests";
    static final String ENDPOINT_DOWN_EVENTS = "endpointDownEvents";
    static final String ENDPOINT_REFUSALS = "endpointRefusals";
    static final String ENDPOINTS_REFUSING = "endpointsRefusing";
    static final String BYTES_SENT = "bytesSent";
    static final String MAX_REQUEST_BYTES = "maxRequestBytes";

    /** Entries OpenTSDB acknowledged. */
    final Counter written;
    /** Entries sent again after a failure (each retry counts). */
    final Counter retried;
    /** Entries OpenTSDB refused for good, sent to the dead-letter publisher. */
    final Counter deadLettered;
    /** Entries dead-lettered after max-retry-time of retryable refusals (also counted in {@link #deadLettered}). */
    final Counter retryExpired;
    final Counter requests2xx;
    final Counter requests4xx;
    final Counter requests5xx;
    final Counter requestsError;
    final Counter endpointDownEvents;
    final Counter endpointRefusals;
    final Counter bytesSent;
    final Histogram requestLatency;
    private volatile long lastLatencyMs;

    private final String unit;

    /**
     * @param unit what one entry is ({@code points}, {@code events}): the prefix of the entry counters
     * @param awaitingRetry the number of entries in the writer's retry queue
     * @param maxRequestBytes the current request limit, or null for no such gauge
     * @param endpointsRefusing the number of endpoints out of the rotation for refusing writes
     */
    OpenTsdbSinkMetrics(
            MetricGroup parent,
            String group,
            String unit,
            IntSupplier inFlightRequests,
            IntSupplier awaitingRetry,
            IntSupplier maxRequestBytes,
            IntSupplier endpointsRefusing) {
        this.unit = unit;
        MetricGroup g = parent.addGroup(group);
        written = g.counter(unit + WRITTEN, new ThreadSafeSimpleCounter());
        retried = g.counter(unit + RETRIED, new ThreadSafeSimpleCounter());
        deadLettered = g.counter(unit + DEAD_LETTERED, new ThreadSafeSimpleCounter());
        retryExpired = g.counter(unit + RETRY_EXPIRED, new ThreadSafeSimpleCounter());
        g.gauge(unit + AWAITING_RETRY, (Gauge<Integer>) awaitingRetry::getAsInt);
        requests2xx = g.counter(REQUESTS_2XX, new ThreadSafeSimpleCounter());
        requests4xx = g.counter(REQUESTS_4XX, new ThreadSafeSimpleCounter());
        requests5xx = g.counter(REQUESTS_5XX, new ThreadSafeSimpleCounter());
        requestsError = g.counter(REQUESTS_ERROR, new ThreadSafeSimpleCounter());
        endpointDownEvents = g.counter(ENDPOINT_DOWN_EVENTS, new ThreadSafeSimpleCounter());
        endpointRefusals = g.counter(ENDPOINT_REFUSALS, new ThreadSafeSimpleCounter());
        g.gauge(ENDPOINTS_REFUSING, (Gauge<Integer>) endpointsRefusing::getAsInt);
        bytesSent = g.counter(BYTES_SENT, new ThreadSafeSimpleCounter());
        requestLatency = g.histogram(REQUEST_LATENCY, new DescriptiveStatisticsHistogram(500));
        g.gauge(LAST_REQUEST_LATENCY, (Gauge<Long>) () -> lastLatencyMs);
        g.gauge(IN_FLIGHT_REQUESTS, (Gauge<Integer>) inFlightRequests::getAsInt);
        if (maxRequestBytes != null) {
            g.gauge(MAX_REQUEST_BYTES, (Gauge<Integer>) maxRequestBytes::getAsInt);
        }
    }

    /** What an entry is, for messages. */
    String unit() {
        return unit;
    }

    void requestDone(long latencyMs, int status) {
        lastLatencyMs = latencyMs;
        requestLatency.update(latencyMs);
        if (status < 0) {
            requestsError.inc();
        } else if (status < 300) {
            requests2xx.inc();
        } else if (status < 500) {
            requests4xx.inc();
        } else {
            requests5xx.inc();
        }
    }
}
