package io.tsdbpipe.sink;

import io.tsdbpipe.deadletter.DeadLetterPublisher;
import io.tsdbpipe.deadletter.DeadLetterPublisherFactory;
import io.tsdbpipe.deadletter.Reject;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory dead-letter publisher. Its state is static because the factory travels serialized with the job graph
 * (also into a MiniCluster in the same JVM): {@link #reset()} before each test. A reject counts as durable only once
 * {@link #flush()} ran after it was published.
 */
final class TestingDeadLetterPublisher implements DeadLetterPublisher {

    private static final List<Reject> PUBLISHED = new ArrayList<>();
    private static final List<Reject> FLUSHED = new ArrayList<>();
    private static final AtomicInteger CREATED = new AtomicInteger();
    private static final AtomicInteger CLOSED = new AtomicInteger();
    private static volatile boolean failFlush;

    private final List<Reject> pending = new ArrayList<>();

    TestingDeadLetterPublisher() {
        CREATED.incrementAndGet();
    }

    static DeadLetterPublisherFactory factory() {
        return TestingDeadLetterPublisher::new;
    }

    static synchronized void reset() {
        PUBLISHED.clear();
        FLUSHED.clear();
        CREATED.set(0);
        CLOSED.set(0);
        failFlush = false;
    }

    static synchronized List<Reject> published() {
        return new ArrayList<>(PUBLISHED);
    }

    static synchronized List<Reject> flushed() {
        return new ArrayList<>(FLUSHED);
    }

    static int created() {
        return CREATED.get();
    }

    static int closed() {
        return CLOSED.get();
    }

    static void failFlush(boolean fail) {
        failFlush = fail;
    }

    @Override
    public void publish(Reject reject) {
        synchronized (TestingDeadLetterPublisher.class) {
            PUBLISHED.add(reject);
            pending.add(reject);
        }
    }

    @Override
    public void flush() throws IOException {
        if (failFlush) {
            throw new IOException("scripted dead-letter flush failure");
        }
        synchronized (TestingDeadLetterPublisher.class) {
            FLUSHED.addAll(pending);
            pending.clear();
        }
    }

    @Override
    public void close() {
        CLOSED.incrementAndGet();
    }
}
