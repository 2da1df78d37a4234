package io.tsdbpipe.sink;

import io.tsdbpipe.point.DataPoint;

import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.config.AsyncSinkWriterConfiguration;
import org.apache.flink.core.io.SimpleVersionedSerializer;

import java.time.Duration;
import java.util.Collection;
import java.util.Collections;

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
 * Metrics: {@link OpenTsdbSinkMetrics}. Settings: {@link OpenTsdbSinkOptions}, {@link OpenTsdbSinkBuilder}, {@link OpenTsdbSinkSettings}.
 */
public class OpenTsdbSink extends OpenTsdbAsyncSinkBase<DataPoint, OpenTsdbPutEntry> {

    private static final long serialVersionUID = 1L;

    private final OpenTsdbSinkSettings settings;

    /** Checked by {@link OpenTsdbSinkBuilder#build()}. */
    OpenTsdbSink(
            int maxBatchPoints,
            int maxInFlightRequests,
            int maxBufferedPoints,
            Duration maxTimeInBuffer,
            OpenTsdbSinkSettings settings) {
        super(
                new OpenTsdbElementConverter(),
                maxBatchPoints,
                maxInFlightRequests,
                maxBufferedPoints,
                Math.max(1, RequestSizer.rawLimit(settings.maxBatchBytes, settings.gzip)),
                maxTimeInBuffer.toMillis(),
                OpenTsdbSinkWriter.MAX_ACCOUNTED_ENTRY_BYTES,
                settings.frameworkTimeoutMillis(),
                false);
        this.settings = settings;
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

    OpenTsdbSinkSettings settings() {
        return settings;
    }
}
