package io.tsdbpipe.gateway;

/**
 * A channel's rate limit: token buckets of requests and of datapoints per second, each with a burst of one second's
 * worth (bk-collector's {@code max_rate}). 0 means no limit.
 */
public record RateLimit(double requestsPerSecond, double datapointsPerSecond) {

    public static final RateLimit UNLIMITED = new RateLimit(0, 0);
}
