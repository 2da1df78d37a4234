package io.tsdbpipe.series;

import java.util.Arrays;

/**
 * One series' window, decoded from its state for the point at hand and encoded back when it changes: the
 * {@code window} newest instants let through, ascending, each with its value's type and bits. One instance per
 * operator, reused for every point.
 *
 * <p>The state is a {@code byte[]}, about 3 bytes per point for a typical series (a window of 8 at 10 s intervals with
 * a counter's values is ~30 bytes, where a {@code long[]} took 144):
 *
 * <ul>
 *   <li>4 bytes: when the series was last written, in seconds since the epoch (unsigned, until 2106), for the TTL;
 *   <li>per entry, ascending by instant: a varint header {@code units << 2 | seconds << 1 | floating}, where
 *       {@code units} is the first instant or, after it, the gap to the previous one, in whole seconds when
 *       {@code seconds} is set (a whole-second gap, the usual) or else milliseconds; then the value: a double's 8
 *       bytes, or a long as the zig-zag varint of its difference to the previous long value (a counter's step is
 *       small).
 * </ul>
 * Instants are those {@code PointRules} lets through (positive milliseconds below 2^61).
 */
final class RecentPoints {

    /** A short window, searched per point. */
    static final int MAX_WINDOW = 63;

    static final int TOUCHED_BYTES = 4;

    private final long[] instants = new long[MAX_WINDOW + 1];
    private final long[] bits = new long[MAX_WINDOW + 1];
    private final boolean[] floating = new boolean[MAX_WINDOW + 1];
    private int size;

    /**
     * Loads a series' state (null: none), at most {@code window} entries (the newest).
     *
     * @return whether the state held more (written with a larger window): then it should be written back
     */
    boolean read(byte[] state, int window) {
        size = 0;
        if (state == null) {
            return false;
        }
        int pos = TOUCHED_BYTES;
        long instant = 0;
        long lastLong = 0;
        while (pos < state.length) {
            long header = 0;
            int shift = 0;
            byte b;
            do {
                b = state[pos++];
                header |= (long) (b & 0x7F) << shift;
                shift += 7;
            } while (b < 0);
            long units = header >>> 2;
            instant += (header & 2) != 0 ? units * 1000L : units;
            instants[size] = instant;
            floating[size] = (header & 1) != 0;
            if (floating[size]) {
                long v = 0;
                for (int i = 0; i < 8; i++) {
                    v = v << 8 | (state[pos++] & 0xFF);
                }
                bits[size] = v;
            } else {
                long zigzag = 0;
                shift = 0;
                do {
                    b = state[pos++];
                    zigzag |= (long) (b & 0x7F) << shift;
                    shift += 7;
                } while (b < 0);
                lastLong += (zigzag >>> 1) ^ -(zigzag & 1);
                bits[size] = lastLong;
            }
            size++;
        }
        if (size > window) {
            int drop = size - window;
            System.arraycopy(instants, drop, instants, 0, window);
            System.arraycopy(bits, drop, bits, 0, window);
            System.arraycopy(floating, drop, floating, 0, window);
            size = window;
            return true;
        }
        return false;
    }

    /** The entry of this instant, or {@code -(insertion point) - 1}, as {@link Arrays#binarySearch(long[], long)}. */
    int find(long instantMillis) {
        return Arrays.binarySearch(instants, 0, size, instantMillis);
    }

    /** Same type and bits: what OpenTSDB compares (5 and 5.0 are an integer and a float cell, two values). */
    boolean sameValue(int entry, boolean isFloating, long valueBits) {
        return floating[entry] == isFloating && bits[entry] == valueBits;
    }

    boolean isFull(int window) {
        return size >= window;
    }

    /**
     * Inserts an entry before entry {@code at}; when the window is full the oldest entry goes ({@code at} must then be
     * at least 1: an instant older than all of a full window is not remembered).
     */
    void insert(int window, int at, long instantMillis, boolean isFloating, long valueBits) {
        if (size >= window) {
            at--;
            System.arraycopy(instants, 1, instants, 0, at);
            System.arraycopy(bits, 1, bits, 0, at);
            System.arraycopy(floating, 1, floating, 0, at);
        } else {
            System.arraycopy(instants, at, instants, at + 1, size - at);
            System.arraycopy(bits, at, bits, at + 1, size - at);
            System.arraycopy(floating, at, floating, at + 1, size - at);
            size++;
        }
        instants[at] = instantMillis;
        bits[at] = valueBits;
        floating[at] = isFloating;
    }

    /** The state of this window, last written at {@code nowMillis}. */
    byte[] write(long nowMillis) {
        int length = TOUCHED_BYTES;
        long previous = 0;
        long lastLong = 0;
        for (int i = 0; i < size; i++) {
            length += varintLength(header(i, previous));
            if (floating[i]) {
                length += 8;
            } else {
                length += varintLength(zigzag(bits[i] - lastLong));
                lastLong = bits[i];
            }
            previous = instants[i];
        }
        byte[] state = new byte[length];
        int touched = (int) (nowMillis / 1000L);
        state[0] = (byte) (touched >>> 24);
        state[1] = (byte) (touched >>> 16);
        state[2] = (byte) (touched >>> 8);
        state[3] = (byte) touched;
        int pos = TOUCHED_BYTES;
        previous = 0;
        lastLong = 0;
        for (int i = 0; i < size; i++) {
            pos = putVarint(state, pos, header(i, previous));
            if (floating[i]) {
                for (int shift = 56; shift >= 0; shift -= 8) {
                    state[pos++] = (byte) (bits[i] >>> shift);
                }
            } else {
                pos = putVarint(state, pos, zigzag(bits[i] - lastLong));
                lastLong = bits[i];
            }
            previous = instants[i];
        }
        return state;
    }

    /** When the state was last written, in milliseconds since the epoch (rounded down to the second). */
    static long touchedMillis(byte[] state) {
        long seconds =
                (state[0] & 0xFFL) << 24 | (state[1] & 0xFFL) << 16 | (state[2] & 0xFFL) << 8 | (state[3] & 0xFFL);
        return seconds * 1000L;
    }

    private long header(int i, long previous) {
        long gap = instants[i] - previous;
        long flag = floating[i] ? 1L : 0L;
        return gap % 1000L == 0 ? (gap / 1000L) << 2 | 2L | flag : gap << 2 | flag;
    }

    private static long zigzag(long v) {
        return v << 1 ^ v >> 63;
    }

    private static int varintLength(long v) {
        return v == 0 ? 1 : (63 - Long.numberOfLeadingZeros(v)) / 7 + 1;
    }

    private static int putVarint(byte[] buffer, int pos, long v) {
        while ((v & ~0x7FL) != 0) {
            buffer[pos++] = (byte) (v & 0x7F | 0x80);
            v >>>= 7;
        }
        buffer[pos++] = (byte) v;
        return pos;
    }
}
