package io.tsdbpipe.report;

/**
 * Removes secrets from the text of a reject before it reaches the dead-letter topic: the value of every
 * {@code "access_token"} field (a BlueKing report's token) becomes {@code "***"}. A scan, no regex; it runs on the
 * reject path only. Works on truncated and broken JSON too: a token whose string never ends is cut off entirely.
 */
public final class Redaction {

    static final String FIELD = "\"access_token\"";
    static final String MASK = "***";

    private Redaction() {}

    public static String redact(String text) {
        if (text == null) {
            return null;
        }
        int at = text.indexOf(FIELD);
        if (at < 0) {
            return text;
        }
        StringBuilder sb = new StringBuilder(text.length());
        int copied = 0;
        while (at >= 0) {
            int i = skipSpace(text, at + FIELD.length());
            if (i < text.length() && text.charAt(i) == ':') {
                i = skipSpace(text, i + 1);
                if (i < text.length() && text.charAt(i) == '"') {
                    int end = stringEnd(text, i + 1);
                    sb.append(text, copied, i + 1).append(MASK);
                    if (end < text.length()) {
                        sb.append('"');
                        copied = end + 1;
                    } else {
                        copied = text.length();
                    }
                } else if (i < text.length() && text.charAt(i) != 'n') {
                    // a number or another non-string token: mask it up to the next separator
                    int end = i;
                    while (end < text.length() && ",}] \n\r\t".indexOf(text.charAt(end)) < 0) {
                        end++;
                    }
                    sb.append(text, copied, i).append('"').append(MASK).append('"');
                    copied = end;
                }
            }
            at = text.indexOf(FIELD, Math.max(copied, at + FIELD.length()));
        }
        return sb.append(text, copied, text.length()).toString();
    }

    private static int skipSpace(String s, int i) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    /** Index of the quote closing a string whose content starts at {@code i}, or the text's length. */
    private static int stringEnd(String s, int i) {
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '\\') {
                i += 2;
            } else if (c == '"') {
                return i;
            } else {
                i++;
            }
        }
        return s.length();
    }
}
