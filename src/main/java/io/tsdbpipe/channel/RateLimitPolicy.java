package io.tsdbpipe.channel;

import java.util.Locale;

/** What the series stage does with a point beyond its tenant's rate limit ({@code rate-limit.policy}). */
public enum RateLimitPolicy {
    /** The point goes to the dead-letter topic as {@code rate_limited}. */
    DEAD_LETTER,
    /** The subtask waits for the token: it slows down, and Kafka is back-pressured (every tenant of the subtask). */
    BACK_PRESSURE;

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The policy of this spelling ({@code dead-letter}, {@code back-pressure}, any case), or null. */
    public static RateLimitPolicy parse(String text) {
        for (RateLimitPolicy p : values()) {
            if (p.toString().equalsIgnoreCase(text.trim())) {
                return p;
            }
        }
        return null;
    }
}
