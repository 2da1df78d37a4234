package io.tsdbpipe.channel;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/** Access tokens: generation, and the SHA-256 the registry keeps instead of the token. */
public final class ChannelTokens {

    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private ChannelTokens() {}

    /** A new token: 32 random bytes (256 bits) from a {@link SecureRandom}, as 64 hex characters. */
    public static String generate() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return hex(bytes);
    }

    /** A SHA-256 digest, for one thread; {@link MessageDigest} instances are not thread-safe. */
    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    public static byte[] sha256(String token) {
        return newDigest().digest(token.getBytes(StandardCharsets.UTF_8));
    }

    public static String hex(byte[] bytes) {
        char[] out = new char[bytes.length * 2];
        for (int i = 0; i < bytes.length; i++) {
            out[2 * i] = HEX[(bytes[i] >> 4) & 0xF];
            out[2 * i + 1] = HEX[bytes[i] & 0xF];
        }
        return new String(out);
    }

    /** The bytes of a hex string of exactly {@code length} bytes, or null if it is not one. */
    public static byte[] unhex(String s, int length) {
        if (s == null || s.length() != length * 2) {
            return null;
        }
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            int hi = Character.digit(s.charAt(2 * i), 16);
            int lo = Character.digit(s.charAt(2 * i + 1), 16);
            if (hi < 0 || lo < 0) {
                return null;
            }
            out[i] = (byte) ((hi << 4) | lo);
        }
        return out;
    }
}
