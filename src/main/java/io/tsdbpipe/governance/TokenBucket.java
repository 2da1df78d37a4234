package io.tsdbpipe.governance;

/**
 * A token bucket on a millisecond clock: {@code rate} tokens per second, at most {@code burst} saved up. Starts full.
 * Not thread-safe (one per tenant per subtask).
 */
final class TokenBucket {

    private double tokens = Double.NaN;
    private long lastMillis;

    private void refill(long nowMillis, double ratePerSecond, long burst) {
        if (Double.isNaN(tokens)) {
            tokens = burst;
        } else if (nowMillis > lastMillis) {
            tokens = Math.min(burst, tokens + (nowMillis - lastMillis) * ratePerSecond / 1000d);
        }
        lastMillis = Math.max(lastMillis, nowMillis);
    }

    /** Takes one token if there is one. */
    boolean tryTake(long nowMillis, double ratePerSecond, long burst) {
        refill(nowMillis, ratePerSecond, burst);
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }

    /**
     * Takes one token, going into debt if there is none, unless paying the debt would take longer than
     * {@code maxWaitMillis}: how long to wait (ms) until the debt is paid, which the caller does before it goes on, or
     * -1 (nothing taken).
     */
    long take(long nowMillis, double ratePerSecond, long burst, long maxWaitMillis) {
        refill(nowMillis, ratePerSecond, burst);
        long wait = tokens >= 1 ? 0 : (long) Math.ceil((1 - tokens) * 1000d / ratePerSecond);
        if (wait > maxWaitMillis) {
            return -1;
        }
        tokens -= 1;
        return wait;
    }

    double tokens() {
        return tokens;
    }
}
