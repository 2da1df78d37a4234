package io.tsdbpipe.series;

import io.tsdbpipe.point.DataPoint;

import java.util.Arrays;

/**
 * The series stage's state layout, one {@code long[]} per series: {@code [key0, v0, key1, v1, ...]}, the
 * {@code window} newest instants let through, ascending. A key is the instant in milliseconds shifted left by one, its
 * lowest bit set when the value is a double (so keys sort as their instants); a value is the long or the double's
 * bits. A flat primitive array costs 16 bytes of header plus 8 per long, and serializes without per-entry overhead.
 *
 * <p>Version 0.1.0 kept {@code [doubleMask, ts0, v0, ts1, v1, ...]}: raw timestamps in arrival order, an odd length.
 * {@link #read} converts it, so savepoints of that version restore; the next update writes this layout.
 */
final class RecentPoints {

    /** A short window, searched per point (and the earlier layout's mask had one bit per entry). */
    static final int MAX_WINDOW = 63;

    private static final long[] EMPTY = new long[0];

    private RecentPoints() {}

    /** The state in this layout, at most {@code window} entries (the newest, when restored into a smaller window). */
    static long[] read(long[] state, int window) {
        if (state == null) {
            return EMPTY;
        }
        if (state.length % 2 == 1) {
            state = fromEarlierLayout(state);
        }
        return state.length > 2 * window ? Arrays.copyOfRange(state, state.length - 2 * window, state.length) : state;
    }

    static long key(long instantMillis, boolean floating) {
        return instantMillis << 1 | (floating ? 1L : 0L);
    }

    static long valueBits(DataPoint p) {
        return p.isFloating() ? Double.doubleToLongBits(p.doubleValue()) : p.longValue();
    }

    /** The entry of this instant, or {@code -(insertion point) - 1}, as {@link Arrays#binarySearch(long[], long)}. */
    static int find(long[] state, long instantMillis) {
        int low = 0;
        int high = state.length / 2 - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            long instant = state[2 * mid] >> 1;
            if (instant < instantMillis) {
                low = mid + 1;
            } else if (instant > instantMillis) {
                high = mid - 1;
            } else {
                return mid;
            }
        }
        return -(low + 1);
    }

    /** Same type and bits: what OpenTSDB compares (5 and 5.0 are an integer and a float cell, two values). */
    static boolean sameValue(long[] state, int entry, long key, long bits) {
        return state[2 * entry] == key && state[2 * entry + 1] == bits;
    }

    static boolean isFull(long[] state, int window) {
        return state.length >= 2 * window;
    }

    /**
     * Inserts an entry before entry {@code at}; when the window is full the oldest entry goes ({@code at} must then be
     * at least 1: an instant older than all of a full window is not remembered). May return a new array.
     */
    static long[] insert(long[] state, int window, int at, long key, long bits) {
        long[] next;
        if (!isFull(state, window)) {
            next = new long[state.length + 2];
            System.arraycopy(state, 0, next, 0, 2 * at);
            System.arraycopy(state, 2 * at, next, 2 * at + 2, state.length - 2 * at);
        } else {
            next = state;
            at--;
            System.arraycopy(state, 2, next, 0, 2 * at);
        }
        next[2 * at] = key;
        next[2 * at + 1] = bits;
        return next;
    }

    private static long[] fromEarlierLayout(long[] earlier) {
        long mask = earlier[0];
        long[] state = EMPTY;
        for (int i = 0; 2 + 2 * i < earlier.length; i++) {
            long instant = DataPoint.instantMillis(earlier[1 + 2 * i]);
            int entry = find(state, instant);
            // an instant there twice (in both precisions, which that version did not see as one): the first stays
            if (entry < 0) {
                long key = key(instant, (mask >>> i & 1L) != 0);
                state = insert(state, MAX_WINDOW, -entry - 1, key, earlier[2 + 2 * i]);
            }
        }
        return state;
    }
}
