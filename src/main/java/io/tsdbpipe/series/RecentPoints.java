package io.tsdbpipe.series;

import java.util.Arrays;

/**
 * One series' state, decoded for the point at hand and encoded back when it changes: its tenant, the instant of its
 * last suppressed point, and the {@code window} newest instants let through, ascending, each with its value's type and
 * bits. One instance per operator, reused for every point.
 *
 * <p>The state is a {@code byte[]}, about 3 bytes per point for a typical series (a window of 8 at 10 s intervals with
 * a counter's values is ~30 bytes, where a {@code long[]} took 144), plus ~6 bytes for a data_id tenant
 * ({@link #FORMAT 1}):
 *
 * <ul>
 *   <li>1 byte: the format, {@value #FORMAT}. The earlier format (0) has no such byte: it starts with the top byte of
 *       its write time, which is 0x5E or more for any time since 2020, so the two never mix up;
 *   <li>4 bytes: when the series was last written, in seconds since the epoch (unsigned, until 2106), for the TTL;
 *   <li>a varint: the series' tenant, {@code n << 1} for a tenant that is a decimal number {@code n} (a data_id: 4
 *       bytes), else {@code length << 1 | 1} followed by its UTF-8 bytes;
 *   <li>a varint: the last suppressed point's instant, as its gap after the newest entry ({@code seconds << 1 | 1}
 *       when whole seconds, else {@code millis << 1}), 0 for none;
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

    /** The state's format; the earlier one (0) has no format byte, tenant or suppressed instant. */
    static final int FORMAT = 1;

    private static final byte[] NO_BYTES = new byte[0];

    /** The tenant as encoded in the state (varint header and bytes); empty for a state of format 0. */
    private byte[] tenantBytes = NO_BYTES;
    /** Where {@link #tenantBytes} came from, to skip decoding it again for the next point of the same tenant. */
    private String tenantText;
    private long pending;

    private final long[] instants = new long[MAX_WINDOW + 1];
    private final long[] bits = new long[MAX_WINDOW + 1];
    private final boolean[] floating = new boolean[MAX_WINDOW + 1];
    private int size;
    /** Where {@link #read} is in the state it decodes. */
    private int readPos;

    /**
     * Loads a series' state (null: none), at most {@code window} entries (the newest).
     *
     * @return whether the state held more (written with a larger window): then it should be written back
     */
    boolean read(byte[] state, int window) {
        size = 0;
        pending = 0;
        if (state == null) {
            tenantBytes = NO_BYTES;
            tenantText = null;
            return false;
        }
        readPos = TOUCHED_BYTES;
        long pendingGap = 0;
        if (state[0] == FORMAT) {
            readPos = 1 + TOUCHED_BYTES;
            int start = readPos;
            long header = varint(state);
            if ((header & 1) != 0) {
                readPos += (int) (header >>> 1);
            }
            if (!sameBytes(state, start, readPos)) {
                tenantBytes = Arrays.copyOfRange(state, start, readPos);
                tenantText = null;
            }
            pendingGap = varint(state);
        } else {
            tenantBytes = NO_BYTES;
            tenantText = null;
        }
        long instant = 0;
        long lastLong = 0;
        while (readPos < state.length) {
            long header = varint(state);
            long units = header >>> 2;
            instant += (header & 2) != 0 ? units * 1000L : units;
            instants[size] = instant;
            floating[size] = (header & 1) != 0;
            if (floating[size]) {
                long v = 0;
                for (int i = 0; i < 8; i++) {
                    v = v << 8 | (state[readPos++] & 0xFF);
                }
                bits[size] = v;
            } else {
                long zigzag = varint(state);
                lastLong += (zigzag >>> 1) ^ -(zigzag & 1);
                bits[size] = lastLong;
            }
            size++;
        }
        if (pendingGap != 0 && size > 0) {
            pending = instants[size - 1] + ((pendingGap & 1) != 0 ? (pendingGap >>> 1) * 1000L : pendingGap >>> 1);
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

    /** The varint at {@link #readPos} of {@link #read}'s state; moves past it. */
    private long varint(byte[] state) {
        long v = 0;
        int shift = 0;
        byte b;
        do {
            b = state[readPos++];
            v |= (long) (b & 0x7F) << shift;
            shift += 7;
        } while (b < 0);
        return v;
    }

    private boolean sameBytes(byte[] state, int start, int end) {
        return tenantBytes.length == end - start && Arrays.equals(tenantBytes, 0, tenantBytes.length, state, start, end);
    }

    /** The tenant of the series read (or set), or null for a state of the earlier format (or none). */
    String tenant() {
        if (tenantText == null && tenantBytes.length > 0) {
            tenantText = decodeTenant(tenantBytes, 0);
        }
        return tenantText;
    }

    /** Sets the series' tenant (a new series, or one of the earlier format: it is written in this format now). */
    void tenant(String tenant) {
        if (tenant.equals(tenantText) && tenantBytes.length > 0) {
            return;
        }
        tenantText = tenant;
        tenantBytes = encodeTenant(tenant);
    }

    /** Whether the state read was of the current format (it has a tenant). */
    boolean hasTenant() {
        return tenantBytes.length > 0;
    }

    /** The instant of the last suppressed point (after the newest entry), or 0 for none. */
    long pending() {
        return pending;
    }

    void pending(long instantMillis) {
        pending = instantMillis;
    }

    int size() {
        return size;
    }

    long instant(int entry) {
        return instants[entry];
    }

    boolean floating(int entry) {
        return floating[entry];
    }

    long bits(int entry) {
        return bits[entry];
    }

    /** The tenant of a state without decoding the rest (the sweep, the count at restore); null for format 0. */
    static String tenantOf(byte[] state) {
        return state[0] == FORMAT ? decodeTenant(state, 1 + TOUCHED_BYTES) : null;
    }

    private static String decodeTenant(byte[] bytes, int pos) {
        long header = 0;
        int shift = 0;
        byte b;
        do {
            b = bytes[pos++];
            header |= (long) (b & 0x7F) << shift;
            shift += 7;
        } while (b < 0);
        if ((header & 1) == 0) {
            return Long.toString(header >>> 1);
        }
        return new String(bytes, pos, (int) (header >>> 1), java.nio.charset.StandardCharsets.UTF_8);
    }

    static byte[] encodeTenant(String tenant) {
        long number = io.tsdbpipe.governance.TenantResolver.dataIdOf(tenant);
        if (number >= 0 && Long.toString(number).equals(tenant)) {
            byte[] out = new byte[varintLength(number << 1)];
            putVarint(out, 0, number << 1);
            return out;
        }
        byte[] utf8 = tenant.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        long header = (long) utf8.length << 1 | 1;
        byte[] out = new byte[varintLength(header) + utf8.length];
        int pos = putVarint(out, 0, header);
        System.arraycopy(utf8, 0, out, pos, utf8.length);
        return out;
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

    /**
     * The state of this window, last written at {@code nowMillis}, in the current format if the series has a tenant
     * (else in the earlier one, as it was read).
     */
    byte[] write(long nowMillis) {
        boolean current = tenantBytes.length > 0;
        long pendingGap = 0;
        if (current && pending != 0 && size > 0 && pending > instants[size - 1]) {
            long gap = pending - instants[size - 1];
            pendingGap = gap % 1000L == 0 ? (gap / 1000L) << 1 | 1 : gap << 1;
        }
        int head = current ? 1 + TOUCHED_BYTES + tenantBytes.length + varintLength(pendingGap) : TOUCHED_BYTES;
        int length = head;
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
        int pos = 0;
        if (current) {
            state[pos++] = FORMAT;
        }
        state[pos++] = (byte) (touched >>> 24);
        state[pos++] = (byte) (touched >>> 16);
        state[pos++] = (byte) (touched >>> 8);
        state[pos++] = (byte) touched;
        if (current) {
            System.arraycopy(tenantBytes, 0, state, pos, tenantBytes.length);
            pos = putVarint(state, pos + tenantBytes.length, pendingGap);
        }
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
        int at = state[0] == FORMAT ? 1 : 0;
        long seconds = (state[at] & 0xFFL) << 24 | (state[at + 1] & 0xFFL) << 16 | (state[at + 2] & 0xFFL) << 8
                | (state[at + 3] & 0xFFL);
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
