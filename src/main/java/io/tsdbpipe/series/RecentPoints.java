package io.tsdbpipe.series;

import io.tsdbpipe.point.DataPoint;

/**
 * The series stage's state layout, one {@code long[]} per series: {@code [floatingMask, ts0, v0, ts1, v1, ...]}, a
 * FIFO of the last {@code window} timestamps with their value bits; bit i of the mask says entry i is a double. A
 * flat primitive array costs 16 bytes of header plus 8 per long, and serializes without any per-entry overhead.
 */
final class RecentPoints {

    /** The mask holds one bit per entry. */
    static final int MAX_WINDOW = 63;

    private RecentPoints() {}

    static long valueBits(DataPoint p) {
        return p.isFloating() ? Double.doubleToLongBits(p.doubleValue()) : p.longValue();
    }

    /** Index of the entry with this timestamp, or -1. */
    static int indexOf(long[] state, long timestamp) {
        if (state == null) {
            return -1;
        }
        for (int i = 1; i < state.length; i += 2) {
            if (state[i] == timestamp) {
                return (i - 1) / 2;
            }
        }
        return -1;
    }

    static boolean sameValue(long[] state, int entry, long bits, boolean floating) {
        boolean wasFloating = (state[0] & (1L << entry)) != 0;
        return wasFloating == floating && state[2 + entry * 2] == bits;
    }

    static void replace(long[] state, int entry, long bits, boolean floating) {
        state[2 + entry * 2] = bits;
        state[0] = floating ? state[0] | (1L << entry) : state[0] & ~(1L << entry);
    }

    /** Appends an entry, dropping the oldest when the window is full; may return a new array. */
    static long[] add(long[] state, int window, long timestamp, long bits, boolean floating) {
        int entries = state == null ? 0 : (state.length - 1) / 2;
        long[] next;
        long mask;
        if (entries < window) {
            next = new long[1 + 2 * (entries + 1)];
            if (state != null) {
                System.arraycopy(state, 1, next, 1, state.length - 1);
            }
            mask = state == null ? 0L : state[0];
        } else {
            // full: shift out the oldest entry (index 0)
            next = state;
            System.arraycopy(state, 3, next, 1, state.length - 3);
            mask = state[0] >>> 1;
            entries--;
        }
        next[1 + 2 * entries] = timestamp;
        next[2 + 2 * entries] = bits;
        next[0] = floating ? mask | (1L << entries) : mask & ~(1L << entries);
        return next;
    }
}
