package io.tsdbpipe.report;

/**
 * The UTF-8 check every report passes before it is parsed (RFC 3629: no overlong forms, no surrogates, nothing above
 * U+10FFFF) that also refuses NUL bytes: no JSON text holds a raw NUL, and without one (and without the bytes 0xFE and
 * 0xFF, never UTF-8) Jackson's encoding detection can only choose UTF-8. ASCII costs one comparison per byte.
 */
final class Utf8 {

    private Utf8() {}

    /** The offset of the first byte that is not UTF-8 text (or a NUL), or -1 when all of it is. */
    static int firstInvalid(byte[] b) {
        int n = b.length;
        int i = 0;
        while (i < n) {
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
