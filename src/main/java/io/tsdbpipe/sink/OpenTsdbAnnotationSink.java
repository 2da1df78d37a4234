package io.tsdbpipe.sink;

import io.tsdbpipe.event.Event;

import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.config.AsyncSinkWriterConfiguration;
import org.apache.flink.core.io.SimpleVersionedSerializer;

import java.time.Duration;
import java.util.Collection;
import java.util.Collections;

/**
 * Writes BlueKing events into OpenTSDB's global annotations ({@code /api/annotation}), one annotation per second that
 * carries every event of that second (see {@link OpenTsdbAnnotationWriter} and {@link AnnotationMerge}). Takes the
 * same {@link OpenTsdbSinkSettings} as the {@link OpenTsdbSink} (endpoints, credentials, gzip, timeouts, retries,
 * dead-lettering); built by {@link #builder()}. One request in flight per subtask, so that one second is never
 * written by two requests at once. Its input must be partitioned by the events' second.
 */
public class OpenTsdbAnnotationSink extends OpenTsdbAsyncSinkBase<Event, AnnotationEntry> {

    private static final long serialVersionUID = 1L;

    static final int MAX_BATCH_EVENTS = 500;
    static final int MAX_BATCH_BYTES = 4 * 1024 * 1024;
    static final int MAX_EVENT_BYTES = 1024 * 1024;

    private final OpenTsdbSinkSettings settings;
    private final AnnotationLimits limits;

    /** Checked by {@link OpenTsdbAnnotationSinkBuilder#build()}. */
    OpenTsdbAnnotationSink(
            OpenTsdbSinkSettings settings, AnnotationLimits limits, int maxBufferedEvents, Duration maxTimeInBuffer) {
        super(
                new AnnotationElementConverter(limits.maxContentChars()),
                MAX_BATCH_EVENTS,
                1,
                maxBufferedEvents,
                MAX_BATCH_BYTES,
                maxTimeInBuffer.toMillis(),
                MAX_EVENT_BYTES,
                settings.frameworkTimeoutMillis(),
                false);
        this.settings = settings;
        this.limits = limits;
    }

    public static OpenTsdbAnnotationSinkBuilder builder() {
        return new OpenTsdbAnnotationSinkBuilder();
    }

    @Override
    public StatefulSinkWriter<Event, BufferedRequestState<AnnotationEntry>> createWriter(WriterInitContext context) {
        return restoreWriter(context, Collections.emptyList());
    }

    @Override
    public StatefulSinkWriter<Event, BufferedRequestState<AnnotationEntry>> restoreWriter(
            WriterInitContext context, Collection<BufferedRequestState<AnnotationEntry>> recoveredState) {
        AsyncSinkWriterConfiguration configuration = writerConfiguration();
        return new OpenTsdbAnnotationWriter(
                getElementConverter(), context, configuration, settings, limits, recoveredState);
    }

    @Override
    public SimpleVersionedSerializer<BufferedRequestState<AnnotationEntry>> getWriterStateSerializer() {
        return new AnnotationWriterStateSerializer();
    }
}
