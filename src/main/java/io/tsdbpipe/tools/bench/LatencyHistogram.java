package io.tsdbpipe.tools.bench;

/**
 * Counts of latencies in milliseconds, exact below 128 ms and within 1/16 (~6%) above, up to about 35 minutes (the
 * last bucket takes the rest). Small (about 450 longs) so that one per second of a run is cheap. Not thread-safe.
 */
final class LatencyHistogram {

    private static final int LINEAR = 128;
    private static final int SUB_BUCKETS = 16;
    private static final int SUB_BITS = 4;
    /** Octaves above the linear range: 2^7 .. 2^31 ms. */
    private static final int OCTAVES = 24;

    private final long[] counts = new long[LINEAR + OCTAVES * SUB_BUCKETS];
    private long total;
    private long max = -1;

    void record(long millis) {
        long v = Math.max(0, millis);
        counts[index(v)]++;
        total++;
        max = Math.max(max, v);
    }

    void add(LatencyHistogram other) {
        for (int i = 0; i < counts.length; i++) {
            counts[i] += other.counts[i];
        }
        total += other.total;
        max = Math.max(max, other.max);
    }

    long count() {
        return total;
    }

    /** The largest latency recorded, exactly; -1 when none. */
    long max() {
        return max;
    }

    /**
     * The latency that {@code fraction} (0..1) of the recorded ones do not exceed: the upper bound of its bucket, never
     * above {@link #max()}; -1 when none.
     */
    long percentile(double fraction) {
        if (total == 0) {
            return -1;
        }
        long rank = Math.max(1, (long) Math.ceil(fraction * total));
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.min(upperBound(i), max);
            }
        }
        return max;
    }

    static int index(long v) {
        if (v < LINEAR) {
            return (int) v;
        }
        int octave = 63 - Long.numberOfLeadingZeros(v); // 7 for 128..255
        if (octave - 7 >= OCTAVES) {
            return LINEAR + OCTAVES * SUB_BUCKETS - 1;
        }
        int sub = (int) ((v >>> (octave - SUB_BITS)) & (SUB_BUCKETS - 1));
        return LINEAR + (octave - 7) * SUB_BUCKETS + sub;
    }

    static long upperBound(int index) {
        if (index < LINEAR) {
            return index;
        }
        int octave = (index - LINEAR) / SUB_BUCKETS + 7;
        int sub = (index - LINEAR) % SUB_BUCKETS;
        long width = 1L << (octave - SUB_BITS);
        return (1L << octave) + (sub + 1) * width - 1;
    }
}
