package io.tsdbpipe.report;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The UTF-8 check every report passes before it is parsed (RFC 3629: no overlong forms, no surrogates, nothing above
 * U+10FFFF) that also refuses NUL bytes: no JSON text holds a raw NUL, and without one (and without the bytes 0xFE and
 * 0xFF, never UTF-8) Jackson's encoding detection can only choose UTF-8. Jackson's own UTF-8 decoding is not enough: it
 * takes overlong forms, which {@code new String(bytes, UTF_8)} (the dead letter's text) does not, so a key could be
 * read as {@code access_token} and not be masked. ASCII is checked eight bytes at a time.
 */
public final class Utf8 {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH_BITS = 0x8080808080808080L;
    private static final long LOW_BITS = 0x0101010101010101L;

    private Utf8() {}

    /** The offset of the first byte that is not UTF-8 text (or a NUL), or -1 when all of it is. */
    public static int firstInvalid(byte[] b) {
        int n = b.length;
        int i = 0;
        while (i < n) {
            if (i + 8 <= n) {
                long w = (long) LONGS.get(b, i);
                // eight ASCII bytes, none of them 0 (the zero-byte test is exact when no high bit is set)
                if (((w | ((w - LOW_BITS) & ~w)) & HIGH_BITS) == 0) {
                    i += 8;
                    continue;
                }
            }
            int c = b[i];
            if (c > 0) {
                i++;
                continue;
            }
            if (c == 0) {
                return i;
            }
            c &= 0xFF;
            int more;
            int min = 0x80;
            int max = 0xBF;
            if (c >= 0xC2 && c <= 0xDF) {
                more = 1;
            } else if (c >= 0xE0 && c <= 0xEF) {
                more = 2;
                if (c == 0xE0) {
                    min = 0xA0; // overlong
                } else if (c == 0xED) {
                    max = 0x9F; // UTF-16 surrogates
                }
            } else if (c >= 0xF0 && c <= 0xF4) {
                more = 3;
                if (c == 0xF0) {
                    min = 0x90; // overlong
                } else if (c == 0xF4) {
                    max = 0x8F; // above U+10FFFF
                }
            } else {
                return i;
            }
            if (i + more >= n) {
                return i;
            }
            int second = b[i + 1] & 0xFF;
            if (second < min || second > max) {
                return i;
            }
            for (int k = 2; k <= more; k++) {
                if ((b[i + k] & 0xC0) != 0x80) {
                    return i;
                }
            }
            i += more + 1;
        }
        return -1;
    }
}
