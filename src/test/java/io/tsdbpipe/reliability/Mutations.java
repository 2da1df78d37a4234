package io.tsdbpipe.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Seeded mutations of a valid report: first on its structure (types changed, keys repeated or escaped, huge and tiny
 * numbers, timestamps of every precision, thousands of tags, deep nesting, Unicode and control characters, another
 * channel), then on its bytes (flips, inserts, deletes, truncation, duplicated spans, two reports spliced, quotes and
 * brackets swapped, escapes and NULs inserted, oversized, re-encoded as UTF-16 or UTF-32). The same seed gives the same
 * bytes. {@link #applied()} names what was done.
 *
 * <p>No mutation moves a token out of its {@code access_token} field (no copied span holds a piece of it, no byte of the
 * key itself is changed, no report is spliced in the middle of one): a token that reaches an output got there through
 * the job, not through the mutation.
 */
final class Mutations {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A text node of this prefix is written raw (a number JSON trees cannot hold, or invalid JSON). */
    private static final String RAW = "\u0000RAW\u0000";

    private static final String TOKEN_KEY = "access_token";

    private static final byte[] TOKEN_KEY_BYTES = ("\"" + TOKEN_KEY + "\"").getBytes(StandardCharsets.UTF_8);

    private static final String[] VALUES = {
        "null", "true", "false", "0", "-1", "1", "1.5", "-0.0", "1e400", "-1e400", "1e-400", "-1e-400", "4.9e-324",
        "1.7976931348623157e308", "99999999999999999999", "9223372036854775807", "9223372036854775808",
        "-9223372036854775809", "NaN", "Infinity", "\"\"", "\"NaN\"", "\"Infinity\"", "\"1e-400\"", "\"1e400\"",
        "\"12\"", "\" 12\"", "\"x y\"", "\"a/b.c-d_e\"", "[]", "{}", "[1]", "{\"a\":1}", "\"\\u0000\"", "\"\\u0007\"",
        "\"温度\"", "\"\\ud800\"", "\"\uD83D\uDE00\"", "\"e\u0301\"", "\"\u200B\"", "\"a\u202Eb\"", "\"\\\"\"",
        "\"\\\\\"", "\"" + "x".repeat(300) + "\"", "007", "0x1F", "+1", ".5", "1.", "-"
    };

    private static final String[] TIMESTAMPS = {
        "1597634942", "1597634942000", "1597634942159", "15976349421590", "1597634942159000", "-1597634942", "0",
        "-1", "4294967295", "4294967296", "9999999999999", "10000000000000", "4102444800", "4102444800000",
        "\"1597634942\"", "\"1597634942000\"", "\"01597634942\"", "\"+1597634942\"", "\"\"", "1597634942.5",
        "1.597634942e9", "1612509542", "1612509542000", "1700003000000", "1700007200000", "null", "true", "[]",
        "99999999999999999999"
    };

    private static final String[] NAMES = {
        "", " ", "a b", "温度", "模块", "h\u00f6st", "\uD83D\uDE00", "e\u0301", "\u200B", "a\u202Eb", "\\u0000",
        "\\u0001x", "\\n", "\\t", "\\\"", "bad metric!", "x".repeat(200), "1bad", "_ok", "ok_1", "a.b", "a/b", "a-b",
        "metric", "metrics", "data", "data_id", "timestamp", "value", "tags", "target", "dimension"
    };

    private static final String[] ESCAPES = {"\\", "\\u", "\\u00", "\\u0000", "\\\"", "\\\\", "\\ud800", "\\x41",
        "\\/", "\\b", "\\uZZZZ"};

    private static final byte[][] SPECIAL_BYTES = {
        {0}, {1}, {0x1F}, {0x7F}, {(byte) 0xFF}, {(byte) 0xC3, 0x28}, {(byte) 0xC0, (byte) 0xAF},
        {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xE6}, {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, {'\n'},
        {'"'}, {'\\'}, {'{'}, {'}'}, {'['}, {']'}, {','}, {':'}
    };

    private static final byte[] STRUCTURAL = "\"{}[]:,".getBytes(StandardCharsets.UTF_8);

    private final Random rnd;
    private final List<String> applied = new ArrayList<>();
    private final IdentityHashMap<ObjectNode, List<Map.Entry<String, JsonNode>>> repeated = new IdentityHashMap<>();
    private final IdentityHashMap<ObjectNode, List<String>> escaped = new IdentityHashMap<>();
    private boolean tokenKeyEscaped;

    Mutations(long seed) {
        this.rnd = new Random(seed);
    }

    List<String> applied() {
        return applied;
    }

    /** One mutation of {@code base} (a valid report); {@code others} are the reports a splice may take a tail of. */
    byte[] mutate(String base, List<String> others) {
        byte[] bytes;
        int structural = rnd.nextInt(3);
        if (structural > 0) {
            JsonNode doc = read(base);
            for (int i = 0; i < structural; i++) {
                mutateStructure(doc);
            }
            bytes = write(doc).getBytes(StandardCharsets.UTF_8);
        } else {
            bytes = base.getBytes(StandardCharsets.UTF_8);
        }
        int byteMutations = tokenKeyEscaped ? 0 : rnd.nextInt(structural > 0 ? 2 : 4);
        if (structural == 0 && byteMutations == 0) {
            byteMutations = 1;
        }
        for (int i = 0; i < byteMutations; i++) {
            bytes = mutateBytes(bytes, others);
        }
        if (rnd.nextInt(40) == 0) {
            bytes = reencode(bytes);
        }
        return bytes;
    }

    // ------------------------------------------------------------------------------------------ structure

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A node of the tree and where it hangs. */
    private static final class Slot {
        final JsonNode parent;
        final String key;
        final int index;
        final JsonNode node;

        Slot(JsonNode parent, String key, int index, JsonNode node) {
            this.parent = parent;
            this.key = key;
            this.index = index;
            this.node = node;
        }

        void replace(JsonNode with) {
            if (parent instanceof ObjectNode) {
                ((ObjectNode) parent).set(key, with);
            } else {
                ((ArrayNode) parent).set(index, with);
            }
        }
    }

    private static void slots(JsonNode parent, List<Slot> out) {
        if (parent instanceof ObjectNode) {
            for (Iterator<Map.Entry<String, JsonNode>> it = parent.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                out.add(new Slot(parent, e.getKey(), -1, e.getValue()));
                slots(e.getValue(), out);
            }
        } else if (parent instanceof ArrayNode) {
            for (int i = 0; i < parent.size(); i++) {
                out.add(new Slot(parent, null, i, parent.get(i)));
                slots(parent.get(i), out);
            }
        }
    }

    private static List<ObjectNode> objects(JsonNode doc) {
        List<ObjectNode> out = new ArrayList<>();
        if (doc instanceof ObjectNode) {
            out.add((ObjectNode) doc);
        }
        List<Slot> all = new ArrayList<>();
        slots(doc, all);
        for (Slot s : all) {
            if (s.node instanceof ObjectNode) {
                out.add((ObjectNode) s.node);
            }
        }
        return out;
    }

    private void mutateStructure(JsonNode doc) {
        List<Slot> all = new ArrayList<>();
        slots(doc, all);
        List<ObjectNode> objects = objects(doc);
        if (all.isEmpty()) {
            return;
        }
        Slot s = all.get(rnd.nextInt(all.size()));
        switch (rnd.nextInt(11)) {
            case 0:
                s.replace(raw(pick(VALUES)));
                applied.add("type " + where(s));
                break;
            case 1: {
                ObjectNode o = pick(objects);
                if (o.isEmpty()) {
                    break;
                }
                String key = pick(names(o));
                JsonNode value = rnd.nextBoolean() ? o.get(key).deepCopy() : raw(pick(VALUES));
                repeated.computeIfAbsent(o, k -> new ArrayList<>()).add(Map.entry(key, value));
                applied.add("duplicate-key " + key + (o == doc ? " (top level)" : ""));
                break;
            }
            case 2: {
                ObjectNode o = pick(objects);
                if (o.isEmpty()) {
                    break;
                }
                String key = pick(names(o));
                escaped.computeIfAbsent(o, k -> new ArrayList<>()).add(key);
                tokenKeyEscaped |= key.equals(TOKEN_KEY);
                applied.add("escape-key " + key);
                break;
            }
            case 3:
                for (Slot t : all) {
                    if ("timestamp".equals(t.key) || (t.key != null && t.key.matches("[0-9]{9,}") && rnd.nextBoolean())) {
                        String ts = pick(TIMESTAMPS);
                        if ("timestamp".equals(t.key)) {
                            t.replace(raw(ts));
                        } else {
                            ObjectNode p = (ObjectNode) t.parent;
                            p.remove(t.key);
                            p.set(ts.startsWith("\"") ? ts.substring(1, ts.length() - 1) : ts, t.node);
                        }
                        applied.add("timestamp " + where(t) + "=" + ts);
                    }
                }
                break;
            case 4: {
                boolean big = rnd.nextInt(20) == 0;
                List<ObjectNode> targets = new ArrayList<>();
                for (Slot t : all) {
                    if (("tags".equals(t.key) || "dimension".equals(t.key)) && t.node instanceof ObjectNode) {
                        targets.add((ObjectNode) t.node);
                    }
                }
                ObjectNode o = big && !targets.isEmpty() ? pick(targets) : pick(objects);
                int n = big ? 500 + rnd.nextInt(2500) : 1 + rnd.nextInt(12);
                for (int i = 0; i < n; i++) {
                    o.put("k" + i + "_" + rnd.nextInt(1000), "v" + i);
                }
                applied.add("many-keys " + n);
                break;
            }
            case 5: {
                int depth = rnd.nextInt(4) == 0 ? 60 + rnd.nextInt(20) : 1 + rnd.nextInt(10);
                JsonNode n = s.node;
                for (int i = 0; i < depth; i++) {
                    n = JSON.createArrayNode().add(n);
                }
                s.replace(n);
                applied.add("nest " + depth + " " + where(s));
                break;
            }
            case 6:
                if (s.parent instanceof ObjectNode) {
                    ((ObjectNode) s.parent).remove(s.key);
                } else {
                    ((ArrayNode) s.parent).remove(s.index);
                }
                applied.add("remove " + where(s));
                break;
            case 7:
                if (s.parent instanceof ObjectNode && !TOKEN_KEY.equals(s.key)) {
                    ObjectNode p = (ObjectNode) s.parent;
                    p.remove(s.key);
                    String name = pick(NAMES);
                    p.set(name.contains("\\") ? RAW + name : name, s.node);
                    applied.add("rename " + where(s) + " to " + name);
                } else {
                    s.replace(raw("\"" + pick(NAMES) + "\""));
                    applied.add("name " + where(s));
                }
                break;
            case 8:
                if (doc.has("data_id")) {
                    String id = pick(new String[] {"1500001", "1500002", "1599999", "\"1500001\"", "-1", "null",
                        "1500001.0", "99999999999999999999"});
                    ((ObjectNode) doc).set("data_id", raw(id));
                    applied.add("data_id=" + id);
                    if (rnd.nextBoolean() && doc.has(TOKEN_KEY)) {
                        String other = doc.get(TOKEN_KEY).asText().equals(ReliabilityFixture.SERIES_TOKEN)
                                ? ReliabilityFixture.EVENTS_TOKEN : ReliabilityFixture.SERIES_TOKEN;
                        ((ObjectNode) doc).put(TOKEN_KEY, other);
                        applied.add("other channel's token");
                    }
                } else {
                    s.replace(raw(pick(VALUES)));
                    applied.add("type " + where(s));
                }
                break;
            case 9: {
                ObjectNode o = pick(objects);
                o.set(pick(NAMES).replace("\\", ""), raw(pick(VALUES)));
                applied.add("add-field");
                break;
            }
            default:
                if (s.node.isNumber() || s.node.isTextual()) {
                    String number = pick(new String[] {"1e400", "1e-400", "-1e-400", "4.9e-324", "2.5e-320",
                        "99999999999999999999", "9223372036854775808", "-9223372036854775808", "0.1e-1000", "1e308",
                        "123456789012345678901234567890.5", "1" + "0".repeat(400), "0." + "0".repeat(400) + "1"});
                    s.replace(raw(number));
                    applied.add("number " + where(s) + "=" + DecodeDriver.abbreviate(number, 30));
                }
        }
    }

    private static String where(Slot s) {
        return s.key != null ? s.key : "[" + s.index + "]";
    }

    private static List<String> names(ObjectNode o) {
        List<String> names = new ArrayList<>();
        o.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static TextNode raw(String json) {
        return new TextNode(RAW + json);
    }

    /** JSON text of the tree, with the raw values, repeated keys and escaped keys. */
    private String write(JsonNode doc) {
        StringBuilder sb = new StringBuilder();
        write(doc, sb);
        return sb.toString();
    }

    private void write(JsonNode n, StringBuilder sb) {
        if (n instanceof ObjectNode) {
            ObjectNode o = (ObjectNode) n;
            List<String> escape = escaped.getOrDefault(o, List.of());
            sb.append('{');
            boolean first = true;
            for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                first = member(e.getKey(), e.getValue(), escape.contains(e.getKey()), first, sb);
            }
            for (Map.Entry<String, JsonNode> e : repeated.getOrDefault(o, List.of())) {
                first = member(e.getKey(), e.getValue(), escape.contains(e.getKey()), first, sb);
            }
            sb.append('}');
        } else if (n instanceof ArrayNode) {
            sb.append('[');
            for (int i = 0; i < n.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                write(n.get(i), sb);
            }
            sb.append(']');
        } else if (n.isTextual() && n.textValue().startsWith(RAW)) {
            sb.append(n.textValue(), RAW.length(), n.textValue().length());
        } else {
            sb.append(n.toString());
        }
    }

    private boolean member(String key, JsonNode value, boolean escape, boolean first, StringBuilder sb) {
        if (!first) {
            sb.append(',');
        }
        if (key.startsWith(RAW)) {
            sb.append('"').append(key, RAW.length(), key.length()).append('"');
        } else if (escape) {
            sb.append('"');
            boolean any = false;
            for (int i = 0; i < key.length(); i++) {
                char c = key.charAt(i);
                if (c == '_' || !any && i == key.length() - 1 || rnd.nextInt(3) == 0) {
                    sb.append(String.format("\\u%04x", (int) c));
                    any = true;
                } else {
                    sb.append(c);
                }
            }
            sb.append('"');
        } else {
            sb.append(TextNode.valueOf(key).toString());
        }
        sb.append(':');
        write(value, sb);
        return false;
    }

    // ------------------------------------------------------------------------------------------ bytes

    /**
     * Where the token fields are: for each, [keyStart, valueQuote, valueEnd] (valueQuote -1 when the value is no
     * string); null without a token key. Their bytes are never changed, but for the value's opening quote (an unquoted
     * token).
     */
    private static int[][] tokenField(byte[] b) {
        List<int[]> fields = new ArrayList<>();
        for (int at = indexOf(b, TOKEN_KEY_BYTES, 0); at >= 0; ) {
            int i = at + TOKEN_KEY_BYTES.length;
            while (i < b.length && b[i] != '"' && b[i] != ',' && b[i] != '}') {
                i++;
            }
            int quote = -1;
            if (i < b.length && b[i] == '"') {
                quote = i++;
                while (i < b.length && b[i] != '"') {
                    i += b[i] == '\\' ? 2 : 1;
                }
            }
            int end = Math.min(b.length, i + 1);
            fields.add(new int[] {at, quote, end});
            at = indexOf(b, TOKEN_KEY_BYTES, Math.max(end, at + 1));
        }
        return fields.isEmpty() ? null : fields.toArray(new int[0][]);
    }

    /** Whether the byte at {@code at} is one no mutation may change. */
    private static boolean isProtected(int at, int[][] token) {
        if (token != null) {
            for (int[] f : token) {
                if (at >= f[0] && at < f[2] && at != f[1]) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether an insert at {@code at} would land inside a token field. */
    private static boolean insideField(int at, int[][] token) {
        if (token != null) {
            for (int[] f : token) {
                if (at > f[0] && at < f[2] && at != f[1]) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean overlapsProtected(int from, int to, int[][] token) {
        for (int i = from; i < to; i++) {
            if (isProtected(i, token)) {
                return true;
            }
        }
        return false;
    }

    private static boolean startsField(int at, int[][] token) {
        for (int[] f : token) {
            if (at == f[0]) {
                return true;
            }
        }
        return false;
    }

    /** Whether a span copied elsewhere would take a piece of a token field with it. */
    private static boolean overlapsField(int from, int to, int[][] token) {
        if (token != null) {
            for (int[] f : token) {
                if (from < f[2] && to > f[0]) {
                    return true;
                }
            }
        }
        return false;
    }

    private byte[] mutateBytes(byte[] b, List<String> others) {
        int[][] token = tokenField(b);
        int n = b.length;
        switch (rnd.nextInt(13)) {
            case 0: {
                int at = position(n, token);
                if (at < n) {
                    byte[] out = b.clone();
                    out[at] ^= (byte) (1 << rnd.nextInt(8));
                    applied.add("flip @" + at);
                    return out;
                }
                return b;
            }
            case 1: {
                int at = position(n, token);
                if (at < n) {
                    byte[] out = b.clone();
                    out[at] = (byte) rnd.nextInt(256);
                    applied.add("set @" + at);
                    return out;
                }
                return b;
            }
            case 2: {
                byte[] insert = SPECIAL_BYTES[rnd.nextInt(SPECIAL_BYTES.length)];
                int at = insertPosition(n + 1, token);
                applied.add("insert " + printable(insert, 20) + " @" + at);
                return splice(b, at, at, insert);
            }
            case 3: {
                int at = insertPosition(n + 1, token);
                String escape = ESCAPES[rnd.nextInt(ESCAPES.length)];
                applied.add("insert " + escape + " @" + at);
                return splice(b, at, at, escape.getBytes(StandardCharsets.UTF_8));
            }
            case 4: {
                int from = rnd.nextInt(n + 1);
                int to = Math.min(n, from + 1 + rnd.nextInt(rnd.nextBoolean() ? 4 : 40));
                if (overlapsProtected(from, to, token)) {
                    return b;
                }
                applied.add("delete @" + from + ".." + to);
                return splice(b, from, to, new byte[0]);
            }
            case 5: {
                int at = rnd.nextInt(n + 1);
                applied.add("truncate @" + at);
                return Arrays.copyOf(b, at);
            }
            case 6: {
                int from = rnd.nextInt(n + 1);
                int to = Math.min(n, from + 1 + rnd.nextInt(60));
                if (overlapsField(from, to, token)) {
                    return b;
                }
                int at = insertPosition(n + 1, token);
                applied.add("duplicate @" + from + ".." + to + " to @" + at);
                return splice(b, at, at, Arrays.copyOfRange(b, from, to));
            }
            case 7: {
                byte[] other = others.get(rnd.nextInt(others.size())).getBytes(StandardCharsets.UTF_8);
                int[][] otherToken = tokenField(other);
                int cut = insertPosition(n + 1, token);
                int from = rnd.nextInt(other.length + 1);
                if (overlapsField(from, from + 1, otherToken) && !startsField(from, otherToken)) {
                    return b;
                }
                applied.add("splice @" + cut + " with a tail @" + from);
                byte[] out = Arrays.copyOf(b, cut + other.length - from);
                System.arraycopy(other, from, out, cut, other.length - from);
                return out;
            }
            case 8: {
                for (int tries = 0; tries < 20; tries++) {
                    int at = position(n, token);
                    if (at < n && indexOf(STRUCTURAL, new byte[] {b[at]}, 0) >= 0) {
                        byte[] out = b.clone();
                        out[at] = STRUCTURAL[rnd.nextInt(STRUCTURAL.length)];
                        applied.add("swap " + (char) b[at] + " to " + (char) out[at] + " @" + at);
                        return out;
                    }
                }
                return b;
            }
            case 9: {
                applied.add("twice");
                byte[] out = Arrays.copyOf(b, n * 2);
                System.arraycopy(b, 0, out, n, n);
                return out;
            }
            case 10:
                if (rnd.nextInt(10) == 0) {
                    int size = ReliabilityFixture.MAX_PAYLOAD - 5 + rnd.nextInt(10);
                    int at = Math.max(1, n - 1);
                    if (insideField(at, token)) {
                        return b;
                    }
                    byte[] pad = new byte[Math.max(0, size - n)];
                    Arrays.fill(pad, (byte) ' ');
                    applied.add("pad to " + size);
                    return splice(b, at, at, pad);
                }
                return b;
            case 11: {
                int at = insertPosition(n + 1, token);
                String u = pick(new String[] {"温度", "\uD83D\uDE00", "\u200B", "e\u0301", "\u0000", "\u0007",
                    "\uFEFF", "\u2028"});
                applied.add("insert text " + printable(u.getBytes(StandardCharsets.UTF_8), 20) + " @" + at);
                return splice(b, at, at, u.getBytes(StandardCharsets.UTF_8));
            }
            default: {
                int at = insertPosition(n + 1, token);
                byte[] random = new byte[1 + rnd.nextInt(8)];
                rnd.nextBytes(random);
                applied.add("insert random @" + at);
                return splice(b, at, at, random);
            }
        }
    }

    private byte[] reencode(byte[] b) {
        String text = new String(b, StandardCharsets.UTF_8);
        Charset[] charsets = {StandardCharsets.UTF_16BE, StandardCharsets.UTF_16LE, StandardCharsets.UTF_16,
            Charset.forName("UTF-32BE"), Charset.forName("UTF-32LE")};
        Charset cs = charsets[rnd.nextInt(charsets.length)];
        applied.add("re-encode " + cs.name());
        return text.getBytes(cs);
    }

    /** A random position below {@code bound} whose byte is not one of the token key's (they are never changed). */
    private int position(int bound, int[][] token) {
        return position(bound, token, false);
    }

    /** A random position below {@code bound} to insert at: never inside the token key. */
    private int insertPosition(int bound, int[][] token) {
        return position(bound, token, true);
    }

    private int position(int bound, int[][] token, boolean insert) {
        for (int tries = 0; tries < 10; tries++) {
            int at = rnd.nextInt(Math.max(1, bound));
            if (insert ? !insideField(at, token) : !isProtected(at, token)) {
                return at;
            }
        }
        return token[0][0] > 0 ? 0 : token[token.length - 1][2];
    }

    private <T> T pick(T[] values) {
        return values[rnd.nextInt(values.length)];
    }

    private <T> T pick(List<T> values) {
        return values.get(rnd.nextInt(values.size()));
    }

    static byte[] splice(byte[] b, int from, int to, byte[] insert) {
        byte[] out = new byte[b.length - (to - from) + insert.length];
        System.arraycopy(b, 0, out, 0, from);
        System.arraycopy(insert, 0, out, from, insert.length);
        System.arraycopy(b, to, out, from + insert.length, b.length - to);
        return out;
    }

    static int indexOf(byte[] b, byte[] what, int from) {
        outer:
        for (int i = from; i + what.length <= b.length; i++) {
            for (int j = 0; j < what.length; j++) {
                if (b[i + j] != what[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** The bytes as ASCII, anything else as {@code \xNN}, cut to about {@code max} characters. */
    static String printable(byte[] b, int max) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < b.length && sb.length() < max; i++) {
            int c = b[i] & 0xFF;
            if (c >= 0x20 && c < 0x7F) {
                sb.append((char) c);
            } else {
                sb.append(String.format("\\x%02X", c));
            }
        }
        if (sb.length() >= max && b.length > 0) {
            sb.append("...(").append(b.length).append(" bytes)");
        }
        return sb.toString();
    }
}
