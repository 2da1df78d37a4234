package io.tsdbpipe.report;

import io.tsdbpipe.point.DataPoint;
import io.tsdbpipe.point.InvalidPointException;
import io.tsdbpipe.deadletter.Origin;
import io.tsdbpipe.point.PointJson;
import io.tsdbpipe.point.PointRules;
import io.tsdbpipe.deadletter.RejectReason;
import io.tsdbpipe.point.TagsBuilder;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;

/**
 * A scalar read from the parser before the rest of its datapoint is known (JSON fields come in any order). Integers
 * are read without making a string, and so are strings of digits that an integer writes the same way back ("42", not
 * "042"): their text is made only if a message needs it. Reused, so it allocates nothing itself.
 */
final class JsonValue {

    private static final int ABSENT = 0;
    private static final int LONG = 1;
    private static final int DOUBLE = 2;
    private static final int TEXT = 3;
    private static final int NOT_SCALAR = 4;

    private static final long MAX_13_DIGITS = 9_999_999_999_999L;

    private int kind;
    private long longValue;
    private double doubleValue;
    private String text;
    private boolean fromString;
    /** A TEXT whose text is {@code Long.toString(longValue)}, not made yet. */
    private boolean digits;

    JsonValue clear() {
        kind = ABSENT;
        text = null;
        fromString = false;
        digits = false;
        return this;
    }

    /** The text of a TEXT value. */
    private String text() {
        if (text == null && digits) {
            text = Long.toString(longValue);
        }
        return text;
    }

    boolean isAbsent() {
        return kind == ABSENT;
    }

    /** An integer that fits a long (not a string of digits). */
    boolean isLong() {
        return kind == LONG;
    }

    long longValue() {
        return longValue;
    }

    /** A JSON number (BlueKing values must be numbers; quoted numbers are refused). */
    boolean isJsonNumber() {
        return kind == LONG || kind == DOUBLE || (kind == TEXT && !fromString);
    }

    /** What was read, for messages. */
    String describe() {
        switch (kind) {
            case LONG:
                return Long.toString(longValue);
            case DOUBLE:
                return Double.toString(doubleValue);
            case TEXT:
                return fromString ? '"' + text() + '"' : text;
            case NOT_SCALAR:
                return text;
            default:
                return "nothing";
        }
    }

    /** What was read as JSON text, for the dead letter of a refused entry (a non-scalar as its description). */
    String json() {
        switch (kind) {
            case LONG:
                return Long.toString(longValue);
            case DOUBLE:
                return Double.isFinite(doubleValue)
                        ? Double.toString(doubleValue) : PointJson.quote(Double.toString(doubleValue));
            case TEXT:
                return fromString ? PointJson.quote(text()) : text; // not from a string: the number's own JSON text
            case NOT_SCALAR:
                return text.equals("true") || text.equals("false") ? text : PointJson.quote(text);
            default:
                return "null";
        }
    }

    /** Reads a node of a JSON tree (the configurable mappings), like {@link #read} reads a token. */
    JsonValue readNode(com.fasterxml.jackson.databind.JsonNode n) {
        clear();
        if (n == null || n.isMissingNode() || n.isNull()) {
            return this;
        }
        if (n.isIntegralNumber() && n.canConvertToLong()) {
            kind = LONG;
            longValue = n.longValue();
        } else if (n.isIntegralNumber()) {
            kind = TEXT;
            text = n.asText();
        } else if (n.isNumber()) {
            kind = DOUBLE;
            doubleValue = n.doubleValue();
            if (outOfRange(doubleValue) && n.isBigDecimal() && n.decimalValue().signum() != 0) {
                kind = TEXT; // as in read(): the tree keeps floats as decimals, so 1e-400 is not 0 yet
                text = n.decimalValue().toString();
            }
        } else if (n.isTextual()) {
            kind = TEXT;
            text = n.textValue();
            fromString = true;
        } else {
            kind = NOT_SCALAR;
            text = n.isObject() ? "a JSON object" : n.isArray() ? "a JSON array" : n.asText();
        }
        return this;
    }

    /** 0.0 (maybe an underflow) or infinite: the number's text decides. */
    private static boolean outOfRange(double d) {
        return d == 0.0 || Double.isInfinite(d);
    }

    /** Reads the current token (skipping a whole object or array, which is never a valid scalar). */
    void read(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        fromString = false;
        digits = false;
        if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
            kind = LONG;
            longValue = p.getLongValue();
        } else if (t == JsonToken.VALUE_NUMBER_FLOAT) {
            kind = DOUBLE;
            doubleValue = p.getDoubleValue();
            text = null;
            if (outOfRange(doubleValue) && !PointRules.isZero(p.getText())) {
                kind = TEXT; // 1e-400 (read as 0.0) or 1e400: the text's rules refuse it with its own words
                text = p.getText();
            }
        } else if (t == JsonToken.VALUE_STRING && readDigits(p)) {
            kind = TEXT;
            text = null;
            fromString = true;
        } else if (t == JsonToken.VALUE_STRING || t == JsonToken.VALUE_NUMBER_INT) {
            kind = TEXT;
            text = p.getText();
            fromString = t == JsonToken.VALUE_STRING;
        } else if (t == JsonToken.VALUE_NULL) {
            kind = ABSENT;
        } else {
            kind = NOT_SCALAR;
            text = t.isStructStart() ? "a JSON " + (t == JsonToken.START_OBJECT ? "object" : "array") : p.getText();
            p.skipChildren();
        }
    }

    /**
     * Reads the current string into {@link #longValue} if it is an integer as {@link Long#toString} writes it, of at
     * most 18 digits (no overflow): {@code 0}, or an optional {@code -} and digits without a leading zero.
     */
    private boolean readDigits(JsonParser p) throws IOException {
        char[] c = p.getTextCharacters();
        int i = p.getTextOffset();
        int end = i + p.getTextLength();
        boolean negative = i < end && c[i] == '-';
        if (negative) {
            i++;
        }
        int n = end - i;
        if (n == 0 || n > 18 || (c[i] == '0' && (n > 1 || negative))) {
            return false;
        }
        long v = 0;
        for (; i < end; i++) {
            int d = c[i] - '0';
            if (d < 0 || d > 9) {
                return false;
            }
            v = v * 10 + d;
        }
        longValue = negative ? -v : v;
        digits = true;
        return true;
    }

    /** This value as a timestamp: an integer or a string of digits. */
    long timestamp(PointRules rules, long nowMillis) throws InvalidPointException {
        switch (kind) {
            case LONG:
                return rules.timestamp(longValue, nowMillis);
            case TEXT:
                // a string of 1 to 13 digits reads as its number; anything else by the text's rules, with its words
                return digits && longValue > 0 && longValue <= MAX_13_DIGITS
                        ? rules.timestamp(longValue, nowMillis)
                        : rules.timestamp(text(), nowMillis);
            case DOUBLE:
                throw new InvalidPointException(
                        RejectReason.INVALID_TIMESTAMP, "timestamp must be an integer, was " + doubleValue);
            case NOT_SCALAR:
                throw new InvalidPointException(
                        RejectReason.INVALID_TIMESTAMP, "timestamp must be an integer, was " + text);
            default:
                throw new InvalidPointException(RejectReason.MISSING_FIELD, "timestamp is missing");
        }
    }

    /** This value as the value of a datapoint. */
    DataPoint point(String metric, String[] sortedTags, long ts, Origin origin) throws InvalidPointException {
        switch (kind) {
            case LONG:
                return DataPoint.ofLong(metric, ts, longValue, sortedTags, origin);
            case DOUBLE:
                return PointRules.point(metric, sortedTags, ts, doubleValue, origin);
            case TEXT:
                return digits
                        ? DataPoint.ofLong(metric, ts, longValue, sortedTags, origin)
                        : PointRules.point(metric, sortedTags, ts, text, origin);
            case NOT_SCALAR:
                throw new InvalidPointException(RejectReason.INVALID_VALUE, "value must be a number, was " + text);
            default:
                throw new InvalidPointException(RejectReason.MISSING_FIELD, "value is missing");
        }
    }

    /** A tree node as a name: strings as they are, numbers and booleans as their text; null for null/absent/containers. */
    static String nodeText(com.fasterxml.jackson.databind.JsonNode n) {
        if (n == null || n.isMissingNode() || n.isNull() || n.isContainerNode()) {
            return null;
        }
        return n.asText();
    }

    /** This value as a name (metric, tag key or value): strings as they are, numbers and booleans as their text. */
    static String nameText(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_STRING || t.isNumeric() || t.isBoolean()) {
            return p.getText();
        }
        if (t.isStructStart()) {
            p.skipChildren();
        }
        return null;
    }

    /**
     * Reads a tags object into the builder: strings, numbers and booleans as their text, nulls dropped. Returns the
     * item's first problem: {@code problem} (one found before) when not null, else the first rule the tags break, or
     * null; the rest of the object is read either way.
     */
    static InvalidPointException readTags(
            JsonParser p, PointRules rules, TagsBuilder tags, InvalidPointException problem) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return problem;
        }
        if (p.currentToken() != JsonToken.START_OBJECT) {
            p.skipChildren();
            return problem != null
                    ? problem
                    : new InvalidPointException(RejectReason.INVALID_TAG, "tags must be a JSON object");
        }
        InvalidPointException first = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            JsonToken v = p.nextToken();
            String val = nameText(p);
            if (first == null && v != JsonToken.VALUE_NULL) {
                try {
                    tags.put(rules, key, val);
                } catch (InvalidPointException e) {
                    first = e;
                }
            }
        }
        return problem != null ? problem : first;
    }
}
