package io.tsdbpipe.sink;

import io.tsdbpipe.point.DataPoint;

import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.connector.base.sink.writer.ElementConverter;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Renders each {@link DataPoint} once into its /api/put JSON object, straight to UTF-8 bytes:
 * {@code {"metric":"m","timestamp":1700000000,"value":42,"tags":{"host":"a"}}} (the same text as
 * {@link io.tsdbpipe.point.PointJson}). Runs on the task thread only, so one scratch buffer is reused.
 */
public final class OpenTsdbElementConverter implements ElementConverter<DataPoint, OpenTsdbPutEntry> {

    private static final long serialVersionUID = 1L;

    private static final byte[] METRIC = bytes("{\"metric\":");
    private static final byte[] TIMESTAMP = bytes(",\"timestamp\":");
    private static final byte[] VALUE = bytes(",\"value\":");
    private static final byte[] TAGS = bytes(",\"tags\":{");
    private static final byte[] HEX = bytes("0123456789abcdef");

    private transient byte[] buf;
    private transient int len;

    @Override
    public OpenTsdbPutEntry apply(DataPoint point, SinkWriter.Context context) {
        return new OpenTsdbPutEntry(render(point), point.origin());
    }

    /** The point's JSON object as UTF-8. */
    byte[] render(DataPoint p) {
        if (buf == null) {
            buf = new byte[256];
        }
        len = 0;
        put(METRIC);
        string(p.metric());
        put(TIMESTAMP);
        decimal(p.timestamp());
        put(VALUE);
        if (p.isFloating()) {
            ascii(p.valueText());
        } else {
            decimal(p.longValue());
        }
        put(TAGS);
        String[] tags = p.tags();
        for (int i = 0; i < tags.length; i += 2) {
            if (i > 0) {
                put((byte) ',');
            }
            string(tags[i]);
            put((byte) ':');
            string(tags[i + 1]);
        }
        put((byte) '}');
        put((byte) '}');
        return Arrays.copyOf(buf, len);
    }

    /** A JSON string literal in UTF-8; valid names are plain ASCII or letters, so escapes are the rare path. */
    private void string(String s) {
        int n = s.length();
        ensure(2 + 6 * n); // the longest form of a char: a \\uXXXX escape
        byte[] b = buf;
        int at = len;
        b[at++] = '"';
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                if (c == '"' || c == '\\') {
                    b[at++] = '\\';
                    b[at++] = (byte) c;
                } else if (c < 0x20) {
                    b[at++] = '\\';
                    b[at++] = 'u';
                    b[at++] = '0';
                    b[at++] = '0';
                    b[at++] = HEX[c >> 4];
                    b[at++] = HEX[c & 0xF];
                } else {
                    b[at++] = (byte) c;
                }
            } else if (c < 0x800) {
                b[at++] = (byte) (0xC0 | (c >> 6));
                b[at++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                b[at++] = (byte) (0xF0 | (cp >> 18));
                b[at++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                b[at++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                b[at++] = (byte) (0x80 | (cp & 0x3F));
            } else if (Character.isSurrogate(c)) {
                // A lone surrogate has no UTF-8 form; JSON can still carry it escaped.
                b[at++] = '\\';
                b[at++] = 'u';
                b[at++] = HEX[(c >> 12) & 0xF];
                b[at++] = HEX[(c >> 8) & 0xF];
                b[at++] = HEX[(c >> 4) & 0xF];
                b[at++] = HEX[c & 0xF];
            } else {
                b[at++] = (byte) (0xE0 | (c >> 12));
                b[at++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                b[at++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        b[at++] = '"';
        len = at;
    }

    /** A long in decimal, as Long.toString writes it, without making the string. */
    private void decimal(long v) {
        if (v == Long.MIN_VALUE) {
            ascii(Long.toString(v));
            return;
        }
        ensure(20);
        if (v < 0) {
            buf[len++] = '-';
            v = -v;
        }
        int digits = 1;
        for (long x = v; x >= 10; x /= 10) {
            digits++;
        }
        int at = len + digits;
        len = at;
        do {
            buf[--at] = (byte) ('0' + (int) (v % 10));
            v /= 10;
        } while (v != 0);
    }

    private void ascii(String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            put((byte) s.charAt(i));
        }
    }

    private void put(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buf, len, bytes.length);
        len += bytes.length;
    }

    private void put(byte b) {
        ensure(1);
        buf[len++] = b;
    }

    private void ensure(int more) {
        if (len + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
