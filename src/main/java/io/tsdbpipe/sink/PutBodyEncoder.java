package io.tsdbpipe.sink;

import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Builds the body of one /api/put request, {@code [p0,p1,...]}, from the longest prefix of a batch that fits the wire
 * limit, gzip-compressed when configured. A compressed body over the limit is never sent: the prefix is cut (using the
 * ratio just measured) and compressed again; the rest of the batch goes back to the buffer.
 *
 * <p>gzip: the body is put together in a reused buffer and deflated in one call by a reused {@link Deflater} at level
 * {@value #GZIP_LEVEL}, the best-compressing of zlib's fast levels (1-3): 2.5x less CPU than the default level 6 for
 * bodies about 15% larger (SinkEncodeBenchmark). Parts of one batch are encoded from the HTTP client's threads as well
 * as the task thread, so the reused state is taken under a lock; an encoding takes well under a millisecond per 8 KiB.
 */
final class PutBodyEncoder {

    static final int GZIP_LEVEL = 3;

    /** The gzip member header (RFC 1952) that GZIPOutputStream writes: deflate, no flags, no time. */
    private static final byte[] GZIP_HEADER = {0x1f, (byte) 0x8b, Deflater.DEFLATED, 0, 0, 0, 0, 0, 0, 0};

    /** The body and how many entries (a prefix of the batch) it carries; 0 when the first entry alone is too big. */
    record Encoded(byte[] body, int count, long rawBytes) {}

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

    /** The largest {@code k <= max} with {@code raw[k] <= limit}. */
    private static int largestPrefix(long[] raw, long limit, int max) {
        int k = 0;
        while (k < max && raw[k + 1] <= limit) {
            k++;
        }
        return k;
    }

    private static byte[] plain(List<OpenTsdbPutEntry> entries, int k, int size) {
        byte[] body = new byte[size];
        concat(entries, k, body);
        return body;
    }

    /** Writes {@code [e0,e1,...]} of the first k entries into {@code body}; returns its length. */
    private static int concat(List<OpenTsdbPutEntry> entries, int k, byte[] body) {
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
        body[pos++] = ']';
        return pos;
    }

    private final Deflater deflater = new Deflater(GZIP_LEVEL, true);
    private final CRC32 crc = new CRC32();
    /** The uncompressed body, and the compressed one, reused; each as large as the largest body so far. */
    private byte[] scratch = new byte[0];
    private byte[] deflated = new byte[0];

    private synchronized byte[] gzip(List<OpenTsdbPutEntry> entries, int k, long rawSize) {
        if (scratch.length < rawSize) {
            scratch = new byte[(int) rawSize];
        }
        int len = concat(entries, k, scratch);
        crc.reset();
        crc.update(scratch, 0, len);
        deflater.reset();
        deflater.setInput(scratch, 0, len);
        deflater.finish();
        if (deflated.length < len / 4 + 64) {
            deflated = new byte[len / 4 + 64];
        }
        System.arraycopy(GZIP_HEADER, 0, deflated, 0, GZIP_HEADER.length);
        int pos = GZIP_HEADER.length;
        while (true) {
            pos += deflater.deflate(deflated, pos, deflated.length - pos);
            if (deflater.finished()) {
                break;
            }
            deflated = Arrays.copyOf(deflated, deflated.length * 2);
        }
        byte[] body = Arrays.copyOf(deflated, pos + 8);
        writeIntLe(body, pos, (int) crc.getValue());
        writeIntLe(body, pos + 4, len); // ISIZE: the length modulo 2^32
        return body;
    }

    private static void writeIntLe(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >>> 8);
        b[at + 2] = (byte) (v >>> 16);
        b[at + 3] = (byte) (v >>> 24);
    }
}
