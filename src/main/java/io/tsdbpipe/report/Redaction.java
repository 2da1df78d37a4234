package io.tsdbpipe.report;

import java.util.function.Consumer;

/**
 * Removes secrets from the text of a reject before it reaches the dead-letter topic: the value of every key whose name
 * holds {@code token} ({@code access_token}, a BlueKing report's token, and its misspellings; ASCII case ignored),
 * wherever it is, becomes {@code "***"}. Keys are compared as JSON decodes them, so {@code "access\u005ftoken"} is the
 * same key. Scans, no regex; they run on the
 * reject path only.
 *
 * <ul>
 *   <li>{@link #redact} is for the text of JSON that parsed (or a prefix of it): a string-aware scan that finds exactly
 *       the keys the parser saw and masks each value whole (a string, a number, an object or an array), also when the
 *       text is cut inside it.
 *   <li>{@link #redactBroken} is for text that did not parse, where quotes may not pair up: it masks, after every
 *       spelling of the key anywhere in the text (quoted or not, inside what looks like a string or not), everything up
 *       to the next field of the BlueKing envelope ({@code "data"}, {@code "data_id"}) or the end, and at least up to
 *       the next {@code ,} {@code }} {@code ]}, a quoted value or container whole.
 * </ul>
 */
public final class Redaction {

    static final String NAME = "access_token";
    /**
     * What makes a key's value a secret: its name holds it ({@code access_token}, and also {@code acces_token},
     * {@code accessToken}, {@code token}: under a misspelt key the job cannot check the token, but it must not leak).
     */
    static final String SECRET_PART = "token";
    static final String MASK = "***";

    private Redaction() {}

    /** Masks the secrets of JSON text that parsed (or of a prefix of such text). */
    public static String redact(String text) {
        return redact(text, null);
    }

    /**
     * {@link #redact(String)}, telling {@code secrets} each value it masked (as written, and as JSON decodes it), so
     * that a message built from the same input can be masked too.
     */
    public static String redact(String text, Consumer<String> secrets) {
        if (text == null) {
            return null;
        }
        StringBuilder sb = null;
        int copied = 0;
        int n = text.length();
        int i = 0;
        while (i < n) {
            char c = text.charAt(i);
            int end;
            boolean secretKey;
            if (c == '"' || c == '\'') {
                end = stringEnd(text, i + 1, c);
                secretKey = end < n && isSecretName(text, i + 1, end);
                end = Math.min(end + 1, n);
            } else if (isWordChar(c)) {
                end = i + 1;
                while (end < n && isWordChar(text.charAt(end))) {
                    end++;
                }
                secretKey = text.substring(i, end).toLowerCase(java.util.Locale.ROOT).contains(SECRET_PART);
            } else {
                i++;
                continue;
            }
            i = end;
            if (!secretKey) {
                continue;
            }
            int v = valueStart(text, end);
            int valueEnd = valueEnd(text, v, false);
            if (valueEnd > v) {
                if (secrets != null) {
                    secrets.accept(text.substring(v, valueEnd));
                    secrets.accept(decoded(text, v, valueEnd));
                }
                sb = mask(sb, text, copied, v, valueEnd);
                copied = valueEnd;
                i = valueEnd;
            }
        }
        return sb == null ? text : sb.append(text, copied, n).toString();
    }

    /** Masks the secrets of text that is not (or not known to be) well-formed JSON. */
    public static String redactBroken(String text) {
        if (text == null) {
            return null;
        }
        StringBuilder sb = null;
        int copied = 0;
        int n = text.length();
        for (int i = 0; i < n; ) {
            int end = nameEnd(text, i);
            if (end < 0) {
                i++;
                continue;
            }
            if (end < n && (text.charAt(end) == '"' || text.charAt(end) == '\'')) {
                end++; // the key's closing quote
            }
            int v = brokenValueStart(text, end);
            int valueEnd = v >= n ? v : Math.max(valueEnd(text, v, true), beforeNextEnvelopeKey(text, v));
            if (valueEnd > v && v >= copied) {
                sb = mask(sb, text, copied, v, valueEnd);
                copied = valueEnd;
            }
            i = Math.max(valueEnd, end);
        }
        return sb == null ? text : sb.append(text, copied, n).toString();
    }

    /** The value's text as JSON decodes it: without its quotes, escapes resolved. */
    private static String decoded(String s, int from, int to) {
        char q = s.charAt(from);
        if (q == '"' || q == '\'') {
            from++;
            if (to > from && s.charAt(to - 1) == q) {
                to--;
            }
        }
        StringBuilder sb = new StringBuilder(to - from);
        int[] next = {0};
        for (int i = from; i < to; i = next[0]) {
            int c = charAt(s, i, next);
            if (c < 0) {
                break;
            }
            sb.append((char) c);
        }
        return sb.toString();
    }

    private static StringBuilder mask(StringBuilder sb, String text, int copied, int v, int valueEnd) {
        if (sb == null) {
            sb = new StringBuilder(text.length());
        }
        sb.append(text, copied, v).append('"').append(MASK);
        char first = text.charAt(v);
        boolean unterminated = (first == '"' || first == '\'') && valueEnd == text.length()
                && stringEnd(text, v + 1, first) == text.length();
        return unterminated ? sb : sb.append('"');
    }

    /** Where the value after a key starts: past white space, a colon (if any) and white space. */
    private static int valueStart(String s, int i) {
        i = skipSpace(s, i);
        if (i < s.length() && s.charAt(i) == ':') {
            i = skipSpace(s, i + 1);
        }
        return i;
    }

    /**
     * Broken text: where the next field of a BlueKing envelope ({@code "data"}, {@code "data_id"}) starts after
     * {@code from}, less the comma before it; or the end. Quotes that do not pair up may move the secret anywhere
     * between its key and that field, so all of that is masked.
     */
    private static int beforeNextEnvelopeKey(String s, int from) {
        int n = s.length();
        for (int i = s.indexOf("\"data", from); i >= 0; i = s.indexOf("\"data", i + 1)) {
            int after = i + 5;
            if (s.startsWith("_id", after)) {
                after += 3;
            }
            if (after < n && s.charAt(after) == '"') {
                int k = i;
                while (k > from && Character.isWhitespace(s.charAt(k - 1))) {
                    k--;
                }
                return k > from && s.charAt(k - 1) == ',' ? k - 1 : k;
            }
        }
        return n;
    }

    /**
     * Broken text: where whatever follows the key starts, past white space and any stray {@code :} {@code ,}
     * {@code ]} {@code }} (in {@code "access_token":,"c0ffee.."} the value is still the secret). Masking too much of a
     * report that does not parse costs nothing: it cannot be replayed as it is.
     */
    private static int brokenValueStart(String s, int i) {
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c != ':' && !isSeparator(c) && !Character.isWhitespace(c)) {
                break;
            }
            i++;
        }
        return i;
    }

    /**
     * The end of the value starting at {@code v} (exclusive), or {@code v} when there is none to mask (a separator, the
     * end, or {@code null}). Broken text: after a quoted value or a container, up to the next separator as well.
     */
    private static int valueEnd(String s, int v, boolean broken) {
        int n = s.length();
        if (v >= n || isSeparator(s.charAt(v))) {
            return v;
        }
        if (s.startsWith("null", v) && (v + 4 == n || !isWordChar(s.charAt(v + 4)))) {
            return v;
        }
        char c = s.charAt(v);
        int end;
        if (c == '"' || c == '\'') {
            end = Math.min(stringEnd(s, v + 1, c) + 1, n);
        } else if (c == '{' || c == '[') {
            end = containerEnd(s, v);
        } else {
            return separatorAfter(s, v);
        }
        return broken ? separatorAfter(s, end) : end;
    }

    private static int separatorAfter(String s, int i) {
        while (i < s.length() && !isSeparator(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static boolean isSeparator(char c) {
        return c == ',' || c == '}' || c == ']';
    }

    private static boolean isWordChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'
                || c == '.' || c == '+';
    }

    /** The end (exclusive) of the balanced object or array starting at {@code i}, strings understood; or the length. */
    private static int containerEnd(String s, int i) {
        int depth = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '"') {
                i = stringEnd(s, i + 1, '"') + 1;
                continue;
            }
            if (c == '{' || c == '[') {
                depth++;
            } else if ((c == '}' || c == ']') && --depth == 0) {
                return i + 1;
            }
            i++;
        }
        return s.length();
    }

    /**
     * If {@code access_token} in any spelling (each character itself, in either case, or a {@code \\uXXXX} escape)
     * starts at {@code i}, where it ends; else -1.
     */
    private static int nameEnd(String s, int i) {
        for (int k = 0; k < SECRET_PART.length(); k++) {
            int[] next = {0};
            int c = charAt(s, i, next);
            if (c < 0 || Character.toLowerCase(c) != SECRET_PART.charAt(k)) {
                return -1;
            }
            i = next[0];
        }
        return i;
    }

    /** Whether the string content {@code s[from, to)} decodes to the secret's name. */
    private static boolean isSecretName(String s, int from, int to) {
        StringBuilder name = new StringBuilder(to - from);
        int[] next = {0};
        for (int i = from; i < to; i = next[0]) {
            int c = charAt(s, i, next);
            if (c < 0) {
                return false;
            }
            name.append(Character.toLowerCase((char) c));
        }
        return name.indexOf(SECRET_PART) >= 0;
    }

    /** The character at {@code i} as JSON decodes it ({@code \\uXXXX}, {@code \\x}), its end in {@code next}; -1 if none. */
    private static int charAt(String s, int i, int[] next) {
        if (i >= s.length()) {
            return -1;
        }
        char c = s.charAt(i);
        if (c != '\\') {
            next[0] = i + 1;
            return c;
        }
        if (i + 1 >= s.length()) {
            return -1;
        }
        if (s.charAt(i + 1) != 'u') {
            next[0] = i + 2;
            return s.charAt(i + 1);
        }
        if (i + 6 > s.length()) {
            return -1;
        }
        int v = 0;
        for (int k = i + 2; k < i + 6; k++) {
            int d = Character.digit(s.charAt(k), 16);
            if (d < 0) {
                return -1;
            }
            v = v * 16 + d;
        }
        next[0] = i + 6;
        return v;
    }

    private static int skipSpace(String s, int i) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    /** Index of the quote closing a string whose content starts at {@code i}, or the text's length. */
    private static int stringEnd(String s, int i, char quote) {
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '\\') {
                i += 2;
            } else if (c == quote) {
                return i;
            } else {
                i++;
            }
        }
        return s.length();
    }
}
