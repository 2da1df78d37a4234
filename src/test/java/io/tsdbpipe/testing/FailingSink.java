package io.tsdbpipe.testing;

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
 * Wraps a stateful sink (the real OpenTSDB sink) and fails its task on command: in {@code write} (a failure
 * mid-stream) or in {@code snapshotState} (a failure during a checkpoint, after the flush that precedes it). The sink's
 * own state is checkpointed and restored as in production. Static switches: the MiniCluster runs in the test JVM.
 */
public final class FailingSink<T, S> implements Sink<T>, SupportsWriterState<T, S> {

    private static final long serialVersionUID = 1L;

    /** How many of the next writes fail. */
    public static final AtomicInteger FAIL_WRITES = new AtomicInteger();
    /** How many of the next checkpoints fail. */
    public static final AtomicInteger FAIL_SNAPSHOTS = new AtomicInteger();
    public static final AtomicInteger FAILURES = new AtomicInteger();
    /** The writers created with a restored checkpoint's state. */
    public static final AtomicInteger RESTORED_WRITERS = new AtomicInteger();

    private final SupportsWriterState<T, S> delegate;

    public <X extends Sink<T> & SupportsWriterState<T, S>> FailingSink(X delegate) {
        this.delegate = delegate;
    }

    public static void reset() {
        FAIL_WRITES.set(0);
        FAIL_SNAPSHOTS.set(0);
        FAILURES.set(0);
        RESTORED_WRITERS.set(0);
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
        if (context.getRestoredCheckpointId().isPresent()) {
            RESTORED_WRITERS.incrementAndGet();
        }
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
