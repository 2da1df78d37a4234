package io.tsdbpipe.gateway;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * A token bucket per data_id, for requests and for datapoints. Thread-safe.
 *
 * <p>Each bucket holds at most one second of its rate (bk-collector's burst) and refills continuously. A request takes
 * one request token and its datapoints together or nothing (a compare-and-set of one immutable state: lock-free, no
 * admission lost or doubled under concurrency). A request larger than a bucket (more datapoints than one second's
 * worth, or a rate below 1/s) passes when the bucket is full and leaves it in debt, so it is not refused forever and the
 * long-run rate still holds. Tokens are counted in billionths, so that integer rates admit exact counts.
 *
 * <p>Memory: only channels that sent recently have a bucket. Once a second the caller that notices it drops the
 * buckets that are full again (idle for at least a second): a full bucket is what a new one starts as, so dropping it
 * changes no answer.
 */
public final class ChannelRateLimiter {

    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    /** Tokens are kept in units of 1e-9. */
    private static final long SCALE = 1_000_000_000L;

    private final RateLimit defaults;
    private final Map<Long, RateLimit> perChannel;
    private final LongSupplier nanoTime;
    private final ConcurrentHashMap<Long, Bucket> buckets = new ConcurrentHashMap<>();
    private final AtomicLong nextSweep;

    /**
     * @param defaults the limit of channels without one of their own
     * @param perChannel limits by data_id
     * @param nanoTime the clock ({@code System::nanoTime}; tests pass their own)
     */
    public ChannelRateLimiter(RateLimit defaults, Map<Long, RateLimit> perChannel, LongSupplier nanoTime) {
        this.defaults = defaults;
        this.perChannel = Map.copyOf(perChannel);
        this.nanoTime = nanoTime;
        this.nextSweep = new AtomicLong(nanoTime.getAsLong() + NANOS_PER_SECOND);
    }

    /** Takes one request and {@code datapoints} from the channel's buckets; false (taking nothing) if either is short. */
    public boolean tryAcquire(long dataId, int datapoints) {
        RateLimit limit = perChannel.getOrDefault(dataId, defaults);
        if (limit.requestsPerSecond() <= 0 && limit.datapointsPerSecond() <= 0) {
            return true;
        }
        long now = nanoTime.getAsLong();
        sweepIfDue(now);
        while (true) {
            Bucket b = buckets.computeIfAbsent(dataId, id -> new Bucket(limit, now));
            int r = b.tryAcquire(now, datapoints);
            if (r >= 0) {
                return r == 1;
            }
            buckets.remove(dataId, b); // dropped by a sweep meanwhile: take a new one
        }
    }

    /** How many channels have a bucket now (what the limiter holds in memory). */
    public int buckets() {
        return buckets.size();
    }

    private void sweepIfDue(long now) {
        long due = nextSweep.get();
        if (now - due < 0 || !nextSweep.compareAndSet(due, now + NANOS_PER_SECOND)) {
            return;
        }
        for (Map.Entry<Long, Bucket> e : buckets.entrySet()) {
            if (e.getValue().retireIfFull(now)) {
                buckets.remove(e.getKey(), e.getValue());
            }
        }
    }

    /** The two buckets of one channel. */
    private static final class Bucket {

        /** The state of a bucket dropped from the map: every caller takes a new one. */
        private static final State RETIRED = new State(0, 0, 0);

        private final long requestRate;
        private final long datapointRate;
        private final double requestsPerSecond;
        private final double datapointsPerSecond;
        private final AtomicReference<State> state;

        Bucket(RateLimit limit, long now) {
            requestsPerSecond = Math.max(0, limit.requestsPerSecond());
            datapointsPerSecond = Math.max(0, limit.datapointsPerSecond());
            requestRate = (long) (requestsPerSecond * SCALE);
            datapointRate = (long) (datapointsPerSecond * SCALE);
            state = new AtomicReference<>(new State(requestRate, datapointRate, now)); // starts full
        }

        /** 1 taken, 0 refused, -1 retired. */
        int tryAcquire(long now, int datapoints) {
            while (true) {
                State s = state.get();
                if (s == RETIRED) {
                    return -1;
                }
                long requests = refill(s.requests, requestRate, requestsPerSecond, s.at, now);
                long points = refill(s.datapoints, datapointRate, datapointsPerSecond, s.at, now);
                long requestCost = requestRate == 0 ? 0 : SCALE;
                long pointCost = datapointRate == 0 ? 0 : datapoints * SCALE;
                // a cost above the capacity needs a full bucket
                if (requests < Math.min(requestCost, requestRate) || points < Math.min(pointCost, datapointRate)) {
                    return 0; // the state is a function of time: nothing to write
                }
                if (state.compareAndSet(s, new State(requests - requestCost, points - pointCost, Math.max(now, s.at)))) {
                    return 1;
                }
            }
        }

        /** Retires the bucket if both of its buckets are full at {@code now}. */
        boolean retireIfFull(long now) {
            State s = state.get();
            return s != RETIRED
                    && refill(s.requests, requestRate, requestsPerSecond, s.at, now) == requestRate
                    && refill(s.datapoints, datapointRate, datapointsPerSecond, s.at, now) == datapointRate
                    && state.compareAndSet(s, RETIRED);
        }

        /** The tokens after {@code at..now}, at most one second's worth. */
        private static long refill(long tokens, long capacity, double perSecond, long at, long now) {
            long elapsed = now - at;
            if (capacity == 0 || elapsed <= 0) {
                return tokens;
            }
            // a bucket in debt needs longer than a second to fill: cap the elapsed time where no overflow can happen
            long deficit = capacity - tokens; // > 0 unless full
            if (deficit <= 0) {
                return capacity;
            }
            double added = Math.min(elapsed, 1e15 / Math.max(perSecond, 1e-9)) * perSecond;
            return added >= deficit ? capacity : tokens + (long) added;
        }
    }

    /** Tokens (in 1e-9) of both buckets at one instant. */
    private record State(long requests, long datapoints, long at) {}
}
