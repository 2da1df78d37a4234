package io.tsdbpipe.deadletter;

import java.io.IOException;

/**
 * Where a sink sends the points its target refused for good. The sink calls {@link #flush()} before a checkpoint
 * completes, so that no refused point exists only in memory.
 */
public interface DeadLetterPublisher extends AutoCloseable {

    /** Hands the reject over; may buffer. Thread-safe: sinks call it from their HTTP callbacks. */
    void publish(Reject reject);

    /** Blocks until everything published is durably stored; throws if any of it could not be. */
    void flush() throws IOException;

    @Override
    void close();
}
