package io.tsdbpipe.point;

import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * The key of the series stage: a 128-bit MurmurHash3 (x64, seed 0) of a point's metric and sorted tags, instead of the
 * text {@code metric{k=v,...}} (hashed, compared and serialized per point, and 60-odd bytes of heap per series).
 *
 * <p>The hashed bytes are, for the metric and then each tag key and value in order, the string's length as a 4-byte
 * little-endian int followed by its UTF-16LE chars: the lengths keep {@code ("ab","c")} and {@code ("a","bc")} apart.
 * The layout is fixed: ids are in savepoints (as keys), so changing it needs a new operator uid.
 *
 * <p>Two series with one id would share one window: a point of one could be dropped as a duplicate of, or
 * dead-lettered against, a point of the other at the same instant. With 128 bits the chance that any two of {@code n}
 * series collide is about {@code n^2 / 2^129}: below 10^-26 for a million series, 10^-20 for a billion (64 bits would
 * give 3 x 10^-8 for a million, too close for a silent merge).
 */
@TypeInfo(SeriesIdTypeInfoFactory.class)
public record SeriesId(long high, long low) {

    private static final long C1 = 0x87c37b91114253d5L;
    private static final long C2 = 0x4cf5ad432745937fL;

    /** The id of the series of {@code metric} with {@code sortedTags} ({@code [k0, v0, ...]}, sorted by key). */
    public static SeriesId of(String metric, String[] sortedTags) {
        Murmur3 h = new Murmur3();
        h.string(metric);
        for (String t : sortedTags) {
            h.string(t);
        }
        return h.finish();
    }

    /** Deterministic (Flink assigns key groups from it): the hash's first half is uniformly spread already. */
    @Override
    public int hashCode() {
        return (int) (high ^ (high >>> 32));
    }

    @Override
    public String toString() {
        return String.format("%016x%016x", high, low);
    }

    /** MurmurHash3_x64_128 over a stream of 16-bit units, consumed in 16-byte blocks (8 chars). */
    private static final class Murmur3 {
        private long h1;
        private long h2;
        private long k1;
        private long k2;
        private int units; // 16-bit units in the current block, 0..7
        private long length; // bytes so far

        void string(String s) {
            int n = s.length();
            unit(n & 0xFFFF);
            unit(n >>> 16);
            for (int i = 0; i < n; i++) {
                unit(s.charAt(i));
            }
        }

        private void unit(int u) {
            long v = (long) (u & 0xFFFF) << (16 * (units & 3));
            if (units < 4) {
                k1 |= v;
            } else {
                k2 |= v;
            }
            length += 2;
            if (++units == 8) {
                block();
            }
        }

        private void block() {
            h1 ^= mixK1(k1);
            h1 = Long.rotateLeft(h1, 27);
            h1 += h2;
            h1 = h1 * 5 + 0x52dce729;
            h2 ^= mixK2(k2);
            h2 = Long.rotateLeft(h2, 31);
            h2 += h1;
            h2 = h2 * 5 + 0x38495ab5;
            k1 = 0;
            k2 = 0;
            units = 0;
        }

        SeriesId finish() {
            if (units > 0) { // the tail: what is left of the block, as MurmurHash3 mixes it (no rounds)
                h1 ^= mixK1(k1);
                h2 ^= mixK2(k2);
            }
            h1 ^= length;
            h2 ^= length;
            h1 += h2;
            h2 += h1;
            h1 = fmix(h1);
            h2 = fmix(h2);
            h1 += h2;
            h2 += h1;
            return new SeriesId(h1, h2);
        }

        private static long mixK1(long k) {
            return Long.rotateLeft(k * C1, 31) * C2;
        }

        private static long mixK2(long k) {
            return Long.rotateLeft(k * C2, 33) * C1;
        }

        private static long fmix(long k) {
            k ^= k >>> 33;
            k *= 0xff51afd7ed558ccdL;
            k ^= k >>> 33;
            k *= 0xc4ceb9fe1a85ec53L;
            k ^= k >>> 33;
            return k;
        }
    }
}
