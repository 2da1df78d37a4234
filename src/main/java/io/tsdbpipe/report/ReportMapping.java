package io.tsdbpipe.report;

import io.tsdbpipe.point.InvalidPointException;
import io.tsdbpipe.point.PointRules;
import io.tsdbpipe.deadletter.RejectReason;
import io.tsdbpipe.point.TagsBuilder;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.Serializable;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One named mapping: the seed's Flume "JsonFrame" interceptor, done properly. For a record of any JSON shape it says
 * where the appid, metricname, hostname, the timestamp=value items and each tag come from, as {@link KeyPath}s:
 *
 * <ul>
 *   <li>{@code appid}, {@code metricname}: a key path; when the record lacks it, the configured text itself is the value
 *       (a literal), as the seed describes ({@code metricname = network} gives "network");
 *   <li>{@code hostname}: a key path; required (absent: {@code missing_field}); optionally it must match the hostname
 *       rule (a regex, applied once per record, not per datapoint);
 *   <li>{@code items}: {@code tsPath=valuePath[,tsPath=valuePath...]} (one datapoint per pair) or one path of a
 *       {@code {"<timestamp>":<value>,...}} object (one datapoint per entry, like TBDS);
 *   <li>{@code tags}: {@code tagk=path[,tagk=path...]}; a tag whose key is absent or null is left out;
 *   <li>{@code root} (optional): a path to an array (or object) of records, for documents that carry several.
 * </ul>
 *
 * The datapoint: metric = appid + separator + metricname; tags = the mapped tags plus {@code hostname}. Every datapoint
 * passes the same rules as any other; a problem of the record (hostname, a tag) rejects it once, a problem of one item
 * (timestamp, value) rejects that item only.
 */
public final class ReportMapping implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String name;
    private final String appidText;
    private final KeyPath appid;
    private final String metricnameText;
    private final KeyPath metricname;
    private final KeyPath hostname;
    private final Pattern hostnamePattern;
    private final String separator;
    private final KeyPath[] itemTimestamps;
    private final KeyPath[] itemValues;
    private final KeyPath itemMap;
    private final String[] tagKeys;
    private final KeyPath[] tagPaths;
    private final KeyPath root;
    private final KeyPath[] match;
    private final List<String> topics;

    ReportMapping(
            String name,
            String appidText,
            String metricnameText,
            KeyPath hostname,
            Pattern hostnamePattern,
            String separator,
            KeyPath[] itemTimestamps,
            KeyPath[] itemValues,
            KeyPath itemMap,
            String[] tagKeys,
            KeyPath[] tagPaths,
            KeyPath root,
            KeyPath[] match,
            List<String> topics) {
        this.name = name;
        this.appidText = appidText;
        this.appid = pathOrNull(appidText);
        this.metricnameText = metricnameText;
        this.metricname = pathOrNull(metricnameText);
        this.hostname = hostname;
        this.hostnamePattern = hostnamePattern;
        this.separator = separator;
        this.itemTimestamps = itemTimestamps;
        this.itemValues = itemValues;
        this.itemMap = itemMap;
        this.tagKeys = tagKeys;
        this.tagPaths = tagPaths;
        this.root = root;
        this.match = match;
        this.topics = List.copyOf(topics);
    }

    private static KeyPath pathOrNull(String text) {
        try {
            return KeyPath.parse(text);
        } catch (IllegalArgumentException e) {
            return null; // only ever a literal
        }
    }

    public String name() {
        return name;
    }

    /** Topics whose records always go through this mapping. */
    public List<String> topics() {
        return topics;
    }

    /** Whether this mapping claims a record when mappings are tried in order: every match path is present. */
    boolean matches(JsonNode doc) {
        for (KeyPath m : match) {
            JsonNode n = m.resolve(doc);
            if (n == null || n.isMissingNode()) {
                return false;
            }
        }
        return true;
    }

    /** Decodes a whole document (the parsed Kafka record value). */
    void decode(JsonNode doc, DecodeContext ctx, JsonValue scratch) {
        if (root == null) {
            decodeRecord(doc, ctx, scratch, ctx.payloadText(), "record");
            return;
        }
        JsonNode records = root.resolve(doc);
        if (records == null || records.isNull()) {
            ctx.reject(RejectReason.MISSING_FIELD, "mapping " + name + ": root " + root + " is missing",
                    ctx.payloadText());
        } else if (records.isArray()) {
            for (int i = 0; i < records.size(); i++) {
                decodeRecord(records.get(i), ctx, scratch, records.get(i).toString(), "record " + i);
            }
        } else {
            decodeRecord(records, ctx, scratch, records.toString(), "record");
        }
    }

    private void decodeRecord(JsonNode rec, DecodeContext ctx, JsonValue v, String text, String what) {
        String prefix = "mapping " + name + ", " + what + ": ";
        if (!rec.isObject()) {
            ctx.reject(RejectReason.MISSING_FIELD, prefix + "not a JSON object", text);
            return;
        }
        PointRules rules = ctx.rules();
        String metric;
        String[] sortedTags;
        try {
            String app = scalarOrLiteral(rec, appid, appidText, "appid");
            String metricName = scalarOrLiteral(rec, metricname, metricnameText, "metricname");
            JsonNode h = hostname.resolve(rec);
            String host = JsonValue.nodeText(h);
            if (host == null) {
                throw new InvalidPointException(RejectReason.MISSING_FIELD, "hostname (" + hostname + ") is "
                        + (h != null && h.isContainerNode() ? "not a string" : "missing"));
            }
            if (hostnamePattern != null && !hostnamePattern.matcher(host).matches()) {
                throw new InvalidPointException(RejectReason.INVALID_TAG,
                        "hostname \"" + host + "\" does not match the hostname rule " + hostnamePattern);
            }
            TagsBuilder tags = ctx.newTags();
            for (int i = 0; i < tagKeys.length; i++) {
                JsonNode t = tagPaths[i].resolve(rec);
                if (t == null || t.isNull()) {
                    continue;
                }
                String value = JsonValue.nodeText(t);
                if (value == null) {
                    throw new InvalidPointException(RejectReason.INVALID_TAG,
                            "tag " + tagKeys[i] + " (" + tagPaths[i] + ") is not a string, number or boolean");
                }
                tags.put(rules, tagKeys[i], value);
            }
            tags.put(rules, "hostname", host);
            metric = rules.metric(app + separator + metricName);
            sortedTags = tags.build(rules);
        } catch (InvalidPointException e) {
            ctx.reject(e.reason(), prefix + e.getMessage(), text);
            return;
        }
        if (itemMap != null) {
            JsonNode map = itemMap.resolve(rec);
            if (map == null || !map.isObject() || map.isEmpty()) {
                ctx.reject(RejectReason.MISSING_FIELD, prefix + "items (" + itemMap + ") is missing, empty or not a "
                        + "timestamp=value object", text);
                return;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                try {
                    long ts = rules.timestamp(e.getKey(), ctx.nowMillis());
                    ctx.point(v.readNode(e.getValue()).point(metric, sortedTags, ts, ctx.origin()));
                } catch (InvalidPointException ex) {
                    ctx.reject(ex.reason(), prefix + "item \"" + e.getKey() + "\": " + ex.getMessage(), text);
                }
            }
            return;
        }
        for (int i = 0; i < itemTimestamps.length; i++) {
            String item = itemTimestamps[i] + "=" + itemValues[i];
            try {
                JsonNode tsNode = itemTimestamps[i].resolve(rec);
                JsonNode valueNode = itemValues[i].resolve(rec);
                if (tsNode == null || tsNode.isNull()) {
                    throw new InvalidPointException(RejectReason.MISSING_FIELD,
                            "timestamp (" + itemTimestamps[i] + ") is missing");
                }
                if (valueNode == null || valueNode.isNull()) {
                    throw new InvalidPointException(RejectReason.MISSING_FIELD,
                            "value (" + itemValues[i] + ") is missing");
                }
                long ts = v.readNode(tsNode).timestamp(rules, ctx.nowMillis());
                ctx.point(v.readNode(valueNode).point(metric, sortedTags, ts, ctx.origin()));
            } catch (InvalidPointException e) {
                ctx.reject(e.reason(), prefix + "item " + item + ": " + e.getMessage(), text);
            }
        }
    }

    /** The value at the path; the configured text itself when the record lacks the key (the seed's rule). */
    private static String scalarOrLiteral(JsonNode rec, KeyPath path, String literal, String what)
            throws InvalidPointException {
        JsonNode n = path == null ? null : path.resolve(rec);
        if (n == null || n.isNull()) {
            return literal;
        }
        String text = JsonValue.nodeText(n);
        if (text == null) {
            throw new InvalidPointException(RejectReason.MISSING_FIELD, what + " (" + path + ") is not a string");
        }
        return text;
    }

    @Override
    public String toString() {
        return "mapping " + name;
    }
}
