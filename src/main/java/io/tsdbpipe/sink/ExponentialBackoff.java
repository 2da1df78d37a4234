package io.tsdbpipe.sink;

import java.io.Serializable;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import static org.apache.flink.util.Preconditions.checkArgument;

/**
 * Exponential backoff with "equal jitter": attempt {@code n} waits a random time in {@code [c/2, c]} with
 * {@code c = min(max, initial * 2^(n-1))}. The jitter spreads the retries of many writers hitting the same TSD; the
 * lower half bound keeps a retry from coming back at once.
 */
final class ExponentialBackoff implements Serializable {

    private static final long serialVersionUID = 1L;

    private final long initialMillis;
    private final long maxMillis;

    ExponentialBackoff(Duration initial, Duration max) {
        checkArgument(!initial.isNegative() && !initial.isZero(), "initial backoff must be positive, was %s", initial);
        checkArgument(max.compareTo(initial) >= 0, "max backoff %s must not be below the initial backoff %s", max, initial);
        this.initialMillis = initial.toMillis() == 0 ? 1 : initial.toMillis();
        this.maxMillis = Math.max(this.initialMillis, max.toMillis());
    }

    /** The upper bound of the wait before attempt {@code attempt} (1 = first retry). */
    long capMillis(int attempt) {
        int shift = Math.max(0, Math.min(attempt - 1, 62));
        long cap = initialMillis << shift;
        // A shift past the first overflowing bit, or a negative result, means "more than max".
        return (cap >>> shift) != initialMillis || cap <= 0 ? maxMillis : Math.min(maxMillis, cap);
    }

    /** A random wait in {@code [cap/2, cap]} before attempt {@code attempt}. */
    long delayMillis(int attempt) {
        long cap = capMillis(attempt);
        long half = cap / 2;
        return half + ThreadLocalRandom.current().nextLong(cap - half + 1);
    }

    long maxMillis() {
        return maxMillis;
    }
}
