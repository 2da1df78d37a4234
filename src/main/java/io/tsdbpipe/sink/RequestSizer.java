package io.tsdbpipe.sink;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * How big a request may be. The limit is on the bytes on the wire: OpenTSDB's HTTP decoder turns any body over
 * 8192 bytes into chunks, which a default TSD refuses. Uncompressed, that limit is exact: a body of entries is
 * {@code 1 + sum(entry JSON + 1)} bytes. With gzip the batch creator needs a budget of uncompressed bytes, estimated
 * from the compression ratio seen so far; the encoder still checks the real compressed size and splits.
 *
 * <p>The limit shrinks (never below {@link #MIN_WIRE_BYTES}) when a TSD refuses a body for its size, so that a TSD
 * configured below {@code max-batch-bytes} costs a few refused requests, not every request. Thread-safe.
 */
final class RequestSizer {

    /** The limit never shrinks below this; a point larger than the current limit is still sent on its own. */
    static final int MIN_WIRE_BYTES = 512;

    /** Bodies up to this size are never chunked by OpenTSDB's decoder, whatever its settings. */
    static final int TSD_UNCHUNKED_BYTES = 8192;

    /** The best compression ratio the batch creator plans for (OpenTSDB JSON compresses 7-14x). */
    static final int MAX_GZIP_RATIO = 32;

    private static final double INITIAL_GZIP_RATIO = 4.0;
    private static final double HEADROOM = 0.9;

    private final int configuredMaxBytes;
    private final boolean gzip;
    private final AtomicInteger maxBytes;
    private volatile double gzipRatio = INITIAL_GZIP_RATIO;

    RequestSizer(int configuredMaxBytes, boolean gzip) {
        this.configuredMaxBytes = configuredMaxBytes;
        this.gzip = gzip;
        this.maxBytes = new AtomicInteger(configuredMaxBytes);
    }

    /** The largest uncompressed batch (sum of entry sizes) the framework may ever hand over. */
    static long rawLimit(int maxWireBytes, boolean gzip) {
        return gzip ? (long) maxWireBytes * MAX_GZIP_RATIO : maxWireBytes - 1L;
    }

    boolean gzip() {
        return gzip;
    }

    /** The configured limit: a single point larger than this is never sent. */
    int configuredMaxWireBytes() {
        return configuredMaxBytes;
    }

    /** The current limit of a request body on the wire. */
    int maxWireBytes() {
        return maxBytes.get();
    }

    /** The sum of entry sizes the next batch may have. */
    long rawBudget() {
        int wire = maxBytes.get();
        if (!gzip) {
            return wire - 1L;
        }
        long budget = (long) (wire * gzipRatio * HEADROOM);
        return Math.max(wire - 1L, Math.min(budget, rawLimit(wire, true)));
    }

    double gzipRatio() {
        return gzipRatio;
    }

    /** Feeds the ratio estimate; called by the encoder on the task thread. */
    void recordCompression(long rawBytes, long compressedBytes) {
        if (compressedBytes > 0 && rawBytes > 0) {
            double ratio = Math.min(MAX_GZIP_RATIO, (double) rawBytes / compressedBytes);
            gzipRatio = 0.7 * gzipRatio + 0.3 * ratio;
        }
    }

    /**
     * Lowers the limit to half of a body the TSD refused for its size. A body already above the current limit (sent
     * before an earlier shrink, by a concurrent request) changes nothing: one refusal halves the limit once.
     *
     * @param floor the limit never goes below this (at least {@link #MIN_WIRE_BYTES})
     * @return the new limit, or -1 when it did not change
     */
    int shrinkAfterRefusal(int refusedBytes, int floor) {
        int target = Math.max(Math.max(floor, MIN_WIRE_BYTES), refusedBytes / 2);
        while (true) {
            int current = maxBytes.get();
            if (current <= target || refusedBytes > current) {
                return -1;
            }
            if (maxBytes.compareAndSet(current, target)) {
                return target;
            }
        }
    }
}
