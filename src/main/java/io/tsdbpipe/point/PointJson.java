package io.tsdbpipe.point;

/**
 * Renders a {@link DataPoint} as OpenTSDB's /api/put JSON object: {@code {"metric":..,"timestamp":..,"value":..,"tags":{..}}}.
 * Names passed {@link PointRules#isValidName}, so only a few characters can ever need escaping; the value is a JSON number.
 */
public final class PointJson {

    private PointJson() {}

    public static String toJson(DataPoint p) {
        StringBuilder sb = new StringBuilder(64 + p.metric().length() + p.tags().length * 12);
        appendTo(sb, p);
        return sb.toString();
    }

    public static void appendTo(StringBuilder sb, DataPoint p) {
        sb.append("{\"metric\":");
        string(sb, p.metric());
        sb.append(",\"timestamp\":").append(p.timestamp());
        sb.append(",\"value\":");
        if (p.isFloating()) {
            sb.append(p.doubleValue());
        } else {
            sb.append(p.longValue());
        }
        sb.append(",\"tags\":{");
        String[] tags = p.tags();
        for (int i = 0; i < tags.length; i += 2) {
            if (i > 0) {
                sb.append(',');
            }
            string(sb, tags[i]);
            sb.append(':');
            string(sb, tags[i + 1]);
        }
        sb.append("}}");
    }

    /** {@code s} as a JSON string literal. */
    public static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2);
        string(sb, s);
        return sb.toString();
    }

    /** Appends a JSON string literal, escaping what JSON requires (valid names never contain these). */
    static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        sb.append('"');
    }
}
