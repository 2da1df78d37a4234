package io.tsdbpipe.chaos;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;

import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wraps the real OpenTSDB sink and fails its task on command: in {@code write} (a failure mid-stream) or in
 * {@code snapshotState} (a failure during a checkpoint, after the flush that precedes it). The sink's own state is
 * checkpointed and restored as in production. Static switches: the MiniCluster runs in the test JVM.
 */
final class FailingSink<T, S> implements Sink<T>, SupportsWriterState<T, S> {

    private static final long serialVersionUID = 1L;

    static final AtomicInteger FAIL_WRITES = new AtomicInteger();
    static final AtomicInteger FAIL_SNAPSHOTS = new AtomicInteger();
    static final AtomicInteger FAILURES = new AtomicInteger();

    private final SupportsWriterState<T, S> delegate;

    <X extends Sink<T> & SupportsWriterState<T, S>> FailingSink(X delegate) {
        this.delegate = delegate;
    }

    static void reset() {
        FAIL_WRITES.set(0);
        FAIL_SNAPSHOTS.set(0);
        FAILURES.set(0);
    }

    private static boolean take(AtomicInteger armed) {
        return armed.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
        return restoreWriter(context, List.of());
    }

    @Override
    public StatefulSinkWriter<T, S> restoreWriter(WriterInitContext context, Collection<S> state) throws IOException {
        StatefulSinkWriter<T, S> writer = delegate.restoreWriter(context, state);
        return new StatefulSinkWriter<>() {
            @Override
            public List<S> snapshotState(long checkpointId) throws IOException {
                if (take(FAIL_SNAPSHOTS)) {
                    FAILURES.incrementAndGet();
                    throw new IOException("injected failure during checkpoint " + checkpointId);
                }
                return writer.snapshotState(checkpointId);
            }

            @Override
            public void write(T element, Context ctx) throws IOException, InterruptedException {
                if (take(FAIL_WRITES)) {
                    FAILURES.incrementAndGet();
                    throw new IOException("injected failure in write");
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
