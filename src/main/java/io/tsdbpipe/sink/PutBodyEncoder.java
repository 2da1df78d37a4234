package io.tsdbpipe.sink;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * Builds the body of one /api/put request, {@code [p0,p1,...]}, from the longest prefix of a batch that fits the wire
 * limit, gzip-compressed when configured. A compressed body over the limit is never sent: the prefix is cut (using the
 * ratio just measured) and compressed again; the rest of the batch goes back to the buffer.
 */
final class PutBodyEncoder {

    /** The body and how many entries (a prefix of the batch) it carries; 0 when the first entry alone is too big. */
    static final class Encoded {
        private final byte[] body;
        private final int count;
        private final long rawBytes;

        Encoded(byte[] body, int count, long rawBytes) {
            this.body = body;
            this.count = count;
            this.rawBytes = rawBytes;
        }

        byte[] body() {
            return body;
        }

        int count() {
            return count;
        }

        long rawBytes() {
            return rawBytes;
        }
    }

    private static final Encoded NOTHING = new Encoded(new byte[0], 0, 0);

    private final RequestSizer sizer;

    PutBodyEncoder(RequestSizer sizer) {
        this.sizer = sizer;
    }

    /**
     * Encodes the longest prefix of {@code entries} whose body fits {@link RequestSizer#maxWireBytes()}. A first entry
     * that does not fit the current limit alone is still sent alone if it fits the configured one.
     */
    Encoded encode(List<OpenTsdbPutEntry> entries) {
        int n = entries.size();
        if (n == 0) {
            return NOTHING;
        }
        int limit = sizer.maxWireBytes();
        // raw[k] = uncompressed body size of the first k entries: '[' + k JSONs + (k-1) commas + ']'.
        long[] raw = new long[n + 1];
        raw[0] = 1;
        for (int i = 0; i < n; i++) {
            raw[i + 1] = raw[i] + entries.get(i).sizeInBytes();
        }
        return sizer.gzip() ? encodeGzip(entries, raw, limit) : encodePlain(entries, raw, limit);
    }

    private Encoded encodePlain(List<OpenTsdbPutEntry> entries, long[] raw, int limit) {
        int k = largestPrefix(raw, limit, entries.size());
        if (k == 0) {
            if (raw[1] > sizer.configuredMaxWireBytes()) {
                return NOTHING;
            }
            k = 1;
        }
        return new Encoded(plain(entries, k, (int) raw[k]), k, raw[k]);
    }

    private Encoded encodeGzip(List<OpenTsdbPutEntry> entries, long[] raw, int limit) {
        int k = entries.size();
        while (true) {
            byte[] body = gzip(entries, k, raw[k]);
            sizer.recordCompression(raw[k], body.length);
            if (body.length <= limit) {
                return new Encoded(body, k, raw[k]);
            }
            if (k == 1) {
                return body.length <= sizer.configuredMaxWireBytes() ? new Encoded(body, 1, raw[1]) : NOTHING;
            }
            // Aim 10% under the limit at the ratio this body just had.
            long target = (long) (raw[k] * ((double) limit / body.length) * 0.9);
            k = Math.max(1, Math.min(k - 1, largestPrefix(raw, target, k)));
        }
    }

    /** The largest k <= max with raw[k] <= limit. */
    private static int largestPrefix(long[] raw, long limit, int max) {
        int k = 0;
        while (k < max && raw[k + 1] <= limit) {
            k++;
        }
        return k;
    }

    private static byte[] plain(List<OpenTsdbPutEntry> entries, int k, int size) {
        byte[] body = new byte[size];
        int pos = 0;
        body[pos++] = '[';
        for (int i = 0; i < k; i++) {
            if (i > 0) {
                body[pos++] = ',';
            }
            byte[] json = entries.get(i).jsonBytes();
            System.arraycopy(json, 0, body, pos, json.length);
            pos += json.length;
        }
        body[pos] = ']';
        return body;
    }

    private static byte[] gzip(List<OpenTsdbPutEntry> entries, int k, long rawSize) {
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE, rawSize / 4 + 64));
        try (GZIPOutputStream gz = new GZIPOutputStream(out, 8192)) {
            gz.write('[');
            for (int i = 0; i < k; i++) {
                if (i > 0) {
                    gz.write(',');
                }
                gz.write(entries.get(i).jsonBytes());
            }
            gz.write(']');
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in-memory streams do not fail
        }
        return out.toByteArray();
    }
}
