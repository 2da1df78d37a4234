package io.tsdbpipe.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufUtil;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

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
        return gunzip(new ByteBufInputStream(content.duplicate()), maxDecompressed);
    }

    static byte[] gunzip(InputStream compressed, long maxDecompressed) throws GatewayRejection {
        byte[] out = new byte[CHUNK];
        int size = 0;
        try (GZIPInputStream in = new GZIPInputStream(compressed, CHUNK)) {
            while (true) {
                if (size == out.length) {
                    if (size > maxDecompressed) {
                        throw tooLarge(maxDecompressed);
                    }
                    out = Arrays.copyOf(out, (int) Math.min((long) size * 2, maxDecompressed + 1));
                }
                int n = in.read(out, size, out.length - size);
                if (n < 0) {
                    break;
                }
                size += n;
                if (size > maxDecompressed) {
                    throw tooLarge(maxDecompressed);
                }
            }
        } catch (IOException e) { // ZipException (not gzip, corrupt) and EOFException (truncated)
            throw new GatewayRejection(RejectionReason.BAD_GZIP, "corrupt gzip body: " + e.getMessage());
        }
        return size == out.length ? out : Arrays.copyOf(out, size);
    }

    private static GatewayRejection tooLarge(long max) {
        return new GatewayRejection(RejectionReason.BODY_TOO_LARGE,
                "gzip body inflates to more than " + max + " bytes (gateway.max-decompressed-size)");
    }

    private static String shorten(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
