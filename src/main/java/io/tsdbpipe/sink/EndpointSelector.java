package io.tsdbpipe.sink;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Spreads requests round robin over the TSDs that are up. A TSD that failed (connection error, timeout, 5xx) is
 * skipped for a cool-down and then tried again; when every TSD is down the one whose cool-down ends first is used
 * anyway, so that a retry never waits for a healthy TSD that does not exist. A TSD that refuses writes in a way no
 * retry changes (credentials, read-only, a wrong URL) is {@link #takeOut taken out} until the task restarts: a
 * restart (the job's, after the last one refused too) is what picks up fixed credentials or configuration.
 * Thread-safe: {@link #next()} runs on the task thread, the others on HTTP callback threads too.
 */
final class EndpointSelector {

    /** One TSD: the URL the sink posts to and, while down, when it may be tried again. */
    static final class Endpoint {
        private final String baseUrl;
        private final URI uri;
        /** {@link Long#MIN_VALUE} while up; otherwise the clock value at which the cool-down ends. */
        private final AtomicLong downUntil = new AtomicLong(Long.MIN_VALUE);
        /** Refuses writes: never chosen while another endpoint is in service. */
        private final AtomicBoolean refusing = new AtomicBoolean();

        Endpoint(String baseUrl, URI uri) {
            this.baseUrl = baseUrl;
            this.uri = uri;
        }

        String baseUrl() {
            return baseUrl;
        }

        URI uri() {
            return uri;
        }

        @Override
        public String toString() {
            return baseUrl;
        }
    }

    private final List<Endpoint> endpoints;
    private final long cooldownNanos;
    private final LongSupplier nanoClock;
    private final AtomicInteger nextIndex = new AtomicInteger();

    EndpointSelector(List<Endpoint> endpoints, long cooldownNanos, LongSupplier nanoClock) {
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("at least one endpoint is required");
        }
        this.endpoints = new ArrayList<>(endpoints);
        this.cooldownNanos = cooldownNanos;
        this.nanoClock = nanoClock;
    }

    /**
     * The next endpoint to send to: round robin over those up, else the one that comes back first; endpoints that
     * refuse writes only when every endpoint does (the request then fails the batch, and the job).
     */
    Endpoint next() {
        long now = nanoClock.getAsLong();
        int n = endpoints.size();
        int start = Math.floorMod(nextIndex.getAndIncrement(), n);
        Endpoint soonest = null;
        long soonestUntil = Long.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            Endpoint e = endpoints.get((start + i) % n);
            if (e.refusing.get()) {
                continue;
            }
            long until = e.downUntil.get();
            if (until == Long.MIN_VALUE || until - now <= 0) {
                return e;
            }
            if (soonest == null || until - soonestUntil < 0) {
                soonest = e;
                soonestUntil = until;
            }
        }
        return soonest != null ? soonest : endpoints.get(start);
    }

    /**
     * Takes the endpoint out of rotation for the cool-down (again, if it already was).
     *
     * @return true when it was up until now, i.e. this is a new "endpoint down" event
     */
    boolean markDown(Endpoint e) {
        long now = nanoClock.getAsLong();
        long previous = e.downUntil.getAndSet(now + cooldownNanos);
        return previous == Long.MIN_VALUE || previous - now <= 0;
    }

    /** Puts the endpoint back in rotation (it just answered). */
    void markUp(Endpoint e) {
        e.downUntil.set(Long.MIN_VALUE);
    }

    /**
     * Takes the endpoint out of the rotation until the task restarts.
     *
     * @return true when it was in service until now
     */
    boolean takeOut(Endpoint e) {
        return e.refusing.compareAndSet(false, true);
    }

    /** The number of endpoints taken out for refusing writes. */
    int refusing() {
        int n = 0;
        for (Endpoint e : endpoints) {
            if (e.refusing.get()) {
                n++;
            }
        }
        return n;
    }

    /** True when every endpoint refuses writes: nothing can be written anymore. */
    boolean allRefusing() {
        return refusing() == endpoints.size();
    }

    /** True while the endpoint is cooling down. */
    boolean isDown(Endpoint e) {
        long until = e.downUntil.get();
        return until != Long.MIN_VALUE && until - nanoClock.getAsLong() > 0;
    }

    List<Endpoint> endpoints() {
        return endpoints;
    }
}
