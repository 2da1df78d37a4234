package io.tsdbpipe.report;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.Serializable;

/**
 * A multi-level key of the seed's JsonFrame interceptor: {@code key1.key2} reads {@code {"key1":{"key2":123}}}; a
 * numeric segment also indexes an array ({@code list.0.ip}). Keys that contain a dot cannot be addressed.
 */
public final class KeyPath implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String text;
    private final String[] segments;

    private KeyPath(String text, String[] segments) {
        this.text = text;
        this.segments = segments;
    }

    /**
     * @throws IllegalArgumentException for an empty path, an empty segment ({@code a..b}) or a key named access_token,
     *     whose value is a secret that is never written
     */
    public static KeyPath parse(String text) {
        String t = text == null ? "" : text.trim();
        if (t.isEmpty()) {
            throw new IllegalArgumentException("an empty key path");
        }
        String[] segments = t.split("\\.", -1);
        for (String s : segments) {
            if (s.isEmpty()) {
                throw new IllegalArgumentException("key path '" + t + "' has an empty key");
            }
            if (io.tsdbpipe.point.PointRules.isSecretName(s)) {
                throw new IllegalArgumentException("key path '" + t + "' reads an access_token, a secret never written");
            }
        }
        return new KeyPath(t, segments);
    }

    /** The node at this path, or null when any key on the way is absent. */
    public JsonNode resolve(JsonNode root) {
        JsonNode n = root;
        for (String s : segments) {
            if (n == null) {
                return null;
            }
            if (n.isObject()) {
                n = n.get(s);
            } else if (n.isArray() && isIndex(s)) {
                n = n.get(Integer.parseInt(s));
            } else {
                return null;
            }
        }
        return n;
    }

    private static boolean isIndex(String s) {
        if (s.length() > 9) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return text;
    }
}
