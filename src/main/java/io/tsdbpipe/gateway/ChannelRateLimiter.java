package io.tsdbpipe.gateway;

import java.util.Map;
import java.util.function.LongSupplier;

/** A token bucket per data_id, for requests and for datapoints. Thread-safe. */
public final class ChannelRateLimiter {

    /**
     * @param defaults the limit of channels without one of their own
     * @param perChannel limits by data_id
     * @param nanoTime the clock ({@code System::nanoTime}; tests pass their own)
     */
    public ChannelRateLimiter(RateLimit defaults, Map<Long, RateLimit> perChannel, LongSupplier nanoTime) {
        throw new UnsupportedOperationException("not yet");
    }

    /** Takes one request and {@code datapoints} from the channel's buckets; false (taking nothing) if either is short. */
    public boolean tryAcquire(long dataId, int datapoints) {
        throw new UnsupportedOperationException("not yet");
    }
}
