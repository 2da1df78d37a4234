package io.tsdbpipe.job;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;

import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wraps a stateful sink (the real OpenTSDB sink) and throws once from {@code write} when {@link #arm() armed}: a task
 * failure at a moment the test chooses, with the sink's own buffered state checkpointed and restored as in production.
 */
final class FailingOnceSink<T, S> implements Sink<T>, SupportsWriterState<T, S> {

    private static final long serialVersionUID = 1L;

    static final AtomicBoolean ARMED = new AtomicBoolean();
    static final AtomicInteger FAILURES = new AtomicInteger();
    static final AtomicInteger RESTORED_WRITERS = new AtomicInteger();

    private final SupportsWriterState<T, S> delegate;

    <X extends Sink<T> & SupportsWriterState<T, S>> FailingOnceSink(X delegate) {
        this.delegate = delegate;
    }

    static void reset() {
        ARMED.set(false);
        FAILURES.set(0);
        RESTORED_WRITERS.set(0);
    }

    static void arm() {
        ARMED.set(true);
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
        return restoreWriter(context, List.of());
    }

    @Override
    public StatefulSinkWriter<T, S> restoreWriter(WriterInitContext context, Collection<S> state) throws IOException {
        if (context.getRestoredCheckpointId().isPresent()) {
            RESTORED_WRITERS.incrementAndGet();
        }
        StatefulSinkWriter<T, S> writer = delegate.restoreWriter(context, state);
        return new StatefulSinkWriter<>() {
            @Override
            public List<S> snapshotState(long checkpointId) throws IOException {
                return writer.snapshotState(checkpointId);
            }

            @Override
            public void write(T element, Context ctx) throws IOException, InterruptedException {
                if (ARMED.compareAndSet(true, false)) {
                    FAILURES.incrementAndGet();
                    throw new IOException("injected failure");
                }
                writer.write(element, ctx);
            }

            @Override
            public void flush(boolean endOfInput) throws IOException, InterruptedException {
                writer.flush(endOfInput);
            }

            @Override
            public void close() throws Exception {
                writer.close();
            }
        };
    }

    @Override
    public SimpleVersionedSerializer<S> getWriterStateSerializer() {
        return delegate.getWriterStateSerializer();
    }
}
