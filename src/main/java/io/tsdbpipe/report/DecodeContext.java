package io.tsdbpipe.report;

import io.tsdbpipe.channel.ChannelLookup;
import io.tsdbpipe.deadletter.Reject;
import io.tsdbpipe.event.Event;
import io.tsdbpipe.point.DataPoint;
import io.tsdbpipe.point.InvalidPointException;
import io.tsdbpipe.deadletter.Origin;
import io.tsdbpipe.point.PointJson;
import io.tsdbpipe.point.PointRules;
import io.tsdbpipe.deadletter.RejectReason;
import io.tsdbpipe.point.TagsBuilder;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What a {@link ReportFormat} needs while it decodes one report: the rules, the processing time, the channel registry,
 * a reusable tags builder, and where points, events and rejects go. Outputs are held until the whole report has been
 * read, so that a report whose JSON breaks half-way yields one {@code malformed_json} reject and nothing else: the
 * rejects made here are therefore always of a report that parsed, and their items are {@link Redaction#redact
 * redacted} as such: no access token reaches the dead-letter topic. Reused for every record.
 */
public final class DecodeContext {

    private final JsonFactory json;
    private final PointRules rules;
    private final int maxItemChars;
    private final TagsBuilder tags = new TagsBuilder();
    private final List<DataPoint> points = new ArrayList<>();
    private final List<Event> events = new ArrayList<>();
    private final List<Reject> rejects = new ArrayList<>();

    private byte[] payload;
    private Origin origin;
    private long nowMillis;
    private long recordTimestamp;
    private ChannelLookup channels = ChannelLookup.NONE;
    /** Where the item of the last entry reject starts: its later entries' rejects carry the entry alone. */
    private int entryRejectItem = -1;

    DecodeContext(JsonFactory json, PointRules rules, int maxItemChars) {
        this.json = json;
        this.rules = rules;
        this.maxItemChars = maxItemChars;
    }

    void reset(byte[] payload, Origin origin, long nowMillis, long recordTimestamp, ChannelLookup channels) {
        this.payload = payload;
        this.origin = origin;
        this.nowMillis = nowMillis;
        this.recordTimestamp = recordTimestamp;
        this.channels = channels;
        restart();
    }

    /** Drops what this report yielded so far: it is read again from its start. */
    void restart() {
        points.clear();
        events.clear();
        rejects.clear();
        entryRejectItem = -1;
    }

    /** The channel registry of this report (BlueKing reports). */
    public ChannelLookup channels() {
        return channels;
    }

    /**
     * A new parser over the whole report, for a format that needs a second pass (close it). It checks no duplicate
     * keys: the first pass read the whole report and did.
     */
    public JsonParser reparse() throws IOException {
        return json.createParser(payload);
    }

    byte[] payload() {
        return payload;
    }

    public PointRules rules() {
        return rules;
    }

    public Origin origin() {
        return origin;
    }

    /** The report is a BlueKing report of this data_id: its points and rejects from now on carry it. */
    public void dataId(long dataId) {
        origin = origin.withDataId(dataId);
    }

    /** Processing time of this report, in epoch milliseconds. */
    public long nowMillis() {
        return nowMillis;
    }

    /**
     * The Kafka record's timestamp (epoch ms; not positive when it has none): the time of an item that carries none,
     * the same on every replay, unlike the processing time.
     */
    public long recordTimestamp() {
        return recordTimestamp;
    }

    /** The context's tags builder, cleared. */
    public TagsBuilder newTags() {
        return tags.clear();
    }

    public void point(DataPoint p) {
        points.add(p);
    }

    public void event(Event e) {
        events.add(e);
    }

    public void reject(RejectReason reason, String message, String item) {
        List<String> secrets = new ArrayList<>(0);
        String masked = Redaction.redact(item, secrets::add);
        // a message may quote a value of the item (e.g. "was \"c0ffee..\"") that the item masks as a secret
        for (String secret : secrets) {
            if (secret.length() >= 4) {
                message = message.replace(secret, Redaction.MASK);
            }
        }
        rejects.add(Reject.of(reason, message, origin, masked, maxItemChars, nowMillis));
    }

    public void reject(InvalidPointException e, String item) {
        reject(e.reason(), e.getMessage(), item);
    }

    /**
     * Rejects one entry of the item starting at {@code itemStart} (a TBDS timestamp=value pair, a BlueKing metric).
     * The first such reject of an item carries the item; the others only {@code {"name":value}}, so that one item with
     * thousands of bad entries yields thousands of small dead letters, not thousands of copies of itself.
     */
    public void entryReject(
            InvalidPointException e, String message, int itemStart, JsonParser p, String name, String valueJson) {
        String item;
        if (entryRejectItem == itemStart) {
            item = "{" + PointJson.quote(name) + ":" + valueJson + "}";
            message += " (the item is in the dead letter of its first refused entry)";
        } else {
            entryRejectItem = itemStart;
            item = itemText(itemStart, p);
        }
        reject(e.reason(), message, item);
    }

    /** Byte offset where the parser's current token starts; pair with {@link #itemText}. */
    public static int tokenStart(JsonParser p) {
        return (int) p.currentTokenLocation().getByteOffset();
    }

    /** The report's text from {@code start} to where the parser now stands: the exact offending item, for a reject. */
    public String itemText(int start, JsonParser p) {
        int end = (int) p.currentLocation().getByteOffset();
        if (start < 0 || end <= start || end > payload.length) {
            return "";
        }
        return new String(payload, start, Math.min(end - start, maxItemChars * 4), StandardCharsets.UTF_8);
    }

    /** The whole report as text, for rejects of the report itself (reject() redacts it). */
    public String payloadText() {
        int len = Math.min(payload.length, maxItemChars * 4);
        return new String(payload, 0, len, StandardCharsets.UTF_8);
    }

    boolean isEmpty() {
        return points.isEmpty() && events.isEmpty() && rejects.isEmpty();
    }

    void emitTo(DecodeOutput out) {
        for (int i = 0; i < points.size(); i++) {
            out.point(points.get(i));
        }
        for (int i = 0; i < events.size(); i++) {
            out.event(events.get(i));
        }
        for (int i = 0; i < rejects.size(); i++) {
            out.reject(rejects.get(i));
        }
    }
}
