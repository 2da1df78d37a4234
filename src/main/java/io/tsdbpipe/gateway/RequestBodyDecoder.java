package io.tsdbpipe.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

import java.util.Arrays;
import java.util.Locale;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Turns a request body as received into the report bytes: as is, or gunzipped. The gateway does this itself rather
 * than with Netty's HttpContentDecompressor so that the body size limit applies to the bytes on the wire, and a second,
 * separate limit to what they inflate to: a small gzip bomb is refused after {@code maxDecompressed} bytes, not
 * inflated whole.
 */
final class RequestBodyDecoder {

    private static final int CHUNK = 16 * 1024;

    private RequestBodyDecoder() {}

    /**
     * @param contentEncoding the request's Content-Encoding header (null: none)
     * @throws GatewayRejection 415 for an encoding other than gzip, 400 for a corrupt or truncated gzip stream, 413
     *     when the body inflates to more than {@code maxDecompressed} bytes
     */
    static byte[] decode(ByteBuf content, String contentEncoding, long maxDecompressed) throws GatewayRejection {
        String encoding = contentEncoding == null ? "" : contentEncoding.trim().toLowerCase(Locale.ROOT);
        if (encoding.isEmpty() || encoding.equals("identity")) {
            return ByteBufUtil.getBytes(content);
        }
        if (!encoding.equals("gzip") && !encoding.equals("x-gzip")) {
            throw new GatewayRejection(RejectionReason.UNSUPPORTED_ENCODING, "unsupported Content-Encoding '"
                    + shorten(contentEncoding.trim()) + "': send the body as is or gzip-compressed");
        }
        if (!content.isReadable()) {
            return new byte[0];
        }
        return gunzip(ByteBufUtil.getBytes(content), maxDecompressed);
    }

    /**
     * Inflates every gzip member of the body (RFC 1952: a gzip file is one or more members, as {@code cat a.gz b.gz}
     * makes); anything after the last member that is not another member is a corrupt body. {@link java.util.zip.GZIPInputStream}
     * would silently ignore such garbage, hence the members are read here, with {@link Inflater} for their data.
     */
    static byte[] gunzip(byte[] gz, long maxDecompressed) throws GatewayRejection {
        byte[] out = new byte[(int) Math.min(CHUNK, maxDecompressed + 1)];
        int size = 0;
        int pos = 0;
        Inflater inflater = new Inflater(true);
        try {
            do {
                pos = memberHeader(gz, pos);
                inflater.reset();
                inflater.setInput(gz, pos, gz.length - pos);
                CRC32 crc = new CRC32();
                int memberStart = size;
                while (!inflater.finished()) {
                    if (size == out.length) {
                        if (size > maxDecompressed) {
                            throw tooLarge(maxDecompressed);
                        }
                        out = Arrays.copyOf(out, (int) Math.min((long) size * 2, maxDecompressed + 1));
                    }
                    int n = inflater.inflate(out, size, out.length - size);
                    if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                        throw corrupt("unexpected end of the gzip stream");
                    }
                    size += n;
                    if (size > maxDecompressed) {
                        throw tooLarge(maxDecompressed);
                    }
                }
                crc.update(out, memberStart, size - memberStart);
                pos = gz.length - inflater.getRemaining();
                if (gz.length - pos < 8) {
                    throw corrupt("unexpected end of the gzip stream (no trailer)");
                }
                if (le32(gz, pos) != crc.getValue() || le32(gz, pos + 4) != ((size - memberStart) & 0xffffffffL)) {
                    throw corrupt("gzip checksum or size mismatch");
                }
                pos += 8;
            } while (pos < gz.length);
        } catch (DataFormatException e) {
            throw corrupt(e.getMessage());
        } finally {
            inflater.end();
        }
        return size == out.length ? out : Arrays.copyOf(out, size);
    }

    /** The position after the header of the member at {@code pos}. */
    private static int memberHeader(byte[] gz, int pos) throws GatewayRejection {
        if (gz.length - pos < 10 || (gz[pos] & 0xff) != 0x1f || (gz[pos + 1] & 0xff) != 0x8b) {
            throw corrupt(pos == 0 ? "not in gzip format" : "bytes after the gzip data that are not a gzip member");
        }
        if (gz[pos + 2] != 8) {
            throw corrupt("unsupported compression method");
        }
        int flags = gz[pos + 3] & 0xff;
        int p = pos + 10;
        if ((flags & 4) != 0) { // FEXTRA
            p = need(gz, p, 2);
            p = need(gz, p, (gz[p - 2] & 0xff) | (gz[p - 1] & 0xff) << 8);
        }
        for (int flag : new int[] {8, 16}) { // FNAME, FCOMMENT: zero-terminated
            if ((flags & flag) != 0) {
                while (true) {
                    p = need(gz, p, 1);
                    if (gz[p - 1] == 0) {
                        break;
                    }
                }
            }
        }
        if ((flags & 2) != 0) { // FHCRC
            p = need(gz, p, 2);
        }
        return p;
    }

    private static int need(byte[] gz, int p, int n) throws GatewayRejection {
        if (gz.length - p < n) {
            throw corrupt("unexpected end of the gzip header");
        }
        return p + n;
    }

    private static long le32(byte[] b, int p) {
        return (b[p] & 0xffL) | (b[p + 1] & 0xffL) << 8 | (b[p + 2] & 0xffL) << 16 | (b[p + 3] & 0xffL) << 24;
    }

    private static GatewayRejection corrupt(String why) {
        return new GatewayRejection(RejectionReason.BAD_GZIP, "corrupt gzip body: " + why);
    }

    private static GatewayRejection tooLarge(long max) {
        return new GatewayRejection(RejectionReason.BODY_TOO_LARGE,
                "gzip body inflates to more than " + max + " bytes (gateway.max-decompressed-size)");
    }

    private static String shorten(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
