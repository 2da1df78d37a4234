package io.tsdbpipe.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting for a condition with a deadline, the tests' alternative to sleep-and-hope. */
public final class Await {

    private static final Duration POLL = Duration.ofMillis(200);

    private Await() {}

    /** Checks {@code condition} every 200 ms until it holds; fails after {@code timeout}. */
    public static void until(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        until(what, timeout, POLL, condition);
    }

    /** Checks {@code condition} every {@code poll} until it holds; fails after {@code timeout}. */
    public static void until(String what, Duration timeout, Duration poll, BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            Thread.sleep(poll.toMillis());
        }
    }

    /** Sleeps between two polls of a helper that cannot throw {@link InterruptedException}; keeps the interrupt. */
    public static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
