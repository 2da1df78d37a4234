package io.tsdbpipe.metadata;

import io.tsdbpipe.point.DataPoint;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.types.StringValue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What is known of one metric of one tenant: its tag keys with a bounded sample of values each (the first ones seen),
 * first and last seen (processing time), the newest point's value and timestamp, and point counts. Mutable: the
 * pre-aggregator {@link #add adds} points to one, the metadata stage {@link #merge merges} them into the one in its
 * state, kept as {@link #toBytes bytes} (compact on the heap, one small array per metric).
 *
 * <p>The {@code target} tag (where the BlueKing format writes an item's {@code target}) is a dimension like the others
 * here; {@link #toJson} lists it as the metric's targets.
 */
final class MetricSummary {

    /** The tag the BlueKing format writes an item's target to. */
    static final String TARGET_TAG = "target";

    /** Tag keys kept per metric (a point has at most validation.max-tags, but a metric's points may differ). */
    static final int MAX_DIMENSIONS = 64;

    /** Longer tag keys and values are cut to this in the sample. */
    static final int MAX_VALUE_CHARS = 128;

    /**
     * The chars of all sampled keys and values of a metric together: beyond them no new key or value is kept (flagged
     * as more), so a metric's state stays under ~4.5 KB whatever its tags (ASCII; UTF-8 of other chars takes more).
     */
    static final int MAX_SAMPLE_CHARS = 4096;

    private static final int FORMAT_VERSION = 1;
    private static final long MINUTE = 60_000L;
    private static final JsonFactory JSON = new JsonFactory();

    final String tenant;
    final String metric;
    long firstSeen = Long.MAX_VALUE;
    long lastSeen = Long.MIN_VALUE;
    /** The newest point by its instant: its timestamp as given (s or ms), type and value bits. */
    long lastTimestamp = Long.MIN_VALUE;
    boolean lastFloating;
    long lastBits;
    long points;
    /** Metadata stage only: the processing-time minute of {@link #minuteCount}, and the minute before's count. */
    long minute;
    long minuteCount;
    long previousMinuteCount;
    /** Metadata stage only: when it last merged points, and the rate it last published. */
    long changedAt;
    long publishedRate = -1;
    final Map<String, ValueSample> dimensions = new HashMap<>();
    /** The chars of the sampled keys and values ({@link #MAX_SAMPLE_CHARS}). */
    private int sampleChars;
    /** The tag array of the last point added (pre-aggregator only, not kept). */
    private String[] lastTags;
    /** More tag keys were seen than {@link #MAX_DIMENSIONS}. */
    boolean moreDimensions;

    /** The first values of one tag key, in the order seen, and whether more were seen. */
    static final class ValueSample {
        final LinkedHashSet<String> values = new LinkedHashSet<>();
        boolean more;
    }

    MetricSummary(String tenant, String metric) {
        this.tenant = tenant;
        this.metric = metric;
    }

    /** Adds one point seen at processing time {@code now}. */
    void add(DataPoint p, long now, int maxValues) {
        points++;
        firstSeen = Math.min(firstSeen, now);
        lastSeen = Math.max(lastSeen, now);
        long bits = p.isFloating() ? Double.doubleToRawLongBits(p.doubleValue()) : p.longValue();
        newest(p.timestamp(), p.isFloating(), bits);
        String[] tags = p.tags();
        if (tags == lastTags) {
            return; // the decoder shares one tag array among the points of an item: their tags are known
        }
        lastTags = tags;
        for (int i = 0; i < tags.length; i += 2) {
            ValueSample sample = sample(tags[i]);
            if (sample != null) {
                addValue(sample, tags[i + 1], maxValues);
            }
        }
    }

    /** The sample of a tag key, or null when the metric has {@link #MAX_DIMENSIONS} others or no room. */
    private ValueSample sample(String tagKey) {
        ValueSample s = dimensions.get(tagKey);
        if (s == null) {
            String key = cut(tagKey);
            s = dimensions.get(key);
            if (s == null) {
                if (dimensions.size() >= MAX_DIMENSIONS || sampleChars + key.length() > MAX_SAMPLE_CHARS) {
                    moreDimensions = true;
                    return null;
                }
                s = new ValueSample();
                dimensions.put(key, s);
                sampleChars += key.length();
            }
        }
        return s;
    }

    private void addValue(ValueSample s, String value, int max) {
        if (s.more) {
            return; // full, and known to be: the common case of a many-valued tag costs no lookup
        }
        String v = cut(value);
        if (s.values.size() < max && sampleChars + v.length() <= MAX_SAMPLE_CHARS) {
            if (s.values.add(v)) {
                sampleChars += v.length();
            }
        } else if (!s.values.contains(v)) {
            s.more = true;
        }
    }

    private static String cut(String text) {
        return text.length() > MAX_VALUE_CHARS ? text.substring(0, MAX_VALUE_CHARS) : text;
    }

    private void newest(long timestamp, boolean floating, long bits) {
        if (lastTimestamp == Long.MIN_VALUE
                || DataPoint.instantMillis(timestamp) >= DataPoint.instantMillis(lastTimestamp)) {
            lastTimestamp = timestamp;
            lastFloating = floating;
            lastBits = bits;
        }
    }

    /** Merges a pre-aggregated summary of the same tenant and metric in, at processing time {@code now}. */
    void merge(MetricSummary other, long now, int maxValues) {
        firstSeen = Math.min(firstSeen, other.firstSeen);
        lastSeen = Math.max(lastSeen, other.lastSeen);
        if (other.lastTimestamp != Long.MIN_VALUE) {
            newest(other.lastTimestamp, other.lastFloating, other.lastBits);
        }
        points += other.points;
        long m = now / MINUTE;
        if (m != minute) {
            previousMinuteCount = m == minute + 1 ? minuteCount : 0;
            minuteCount = 0;
            minute = m;
        }
        minuteCount += other.points;
        changedAt = now;
        moreDimensions |= other.moreDimensions;
        other.dimensions.forEach((key, sample) -> {
            ValueSample mine = sample(key);
            if (mine != null) {
                for (String v : sample.values) {
                    addValue(mine, v, maxValues);
                }
                mine.more |= sample.more;
            }
        });
    }

    /** Points in the last whole processing-time minute before {@code now}. */
    long pointsPerMinute(long now) {
        long m = now / MINUTE;
        if (m == minute) {
            return previousMinuteCount;
        }
        return m == minute + 1 ? minuteCount : 0;
    }

    byte[] toBytes() {
        DataOutputSerializer out = new DataOutputSerializer(64 + dimensions.size() * 32);
        try {
            out.writeByte(FORMAT_VERSION);
            StringValue.writeString(tenant, out);
            StringValue.writeString(metric, out);
            out.writeLong(firstSeen);
            out.writeLong(lastSeen);
            out.writeLong(lastTimestamp);
            out.writeBoolean(lastFloating);
            out.writeLong(lastBits);
            out.writeLong(points);
            out.writeLong(minute);
            out.writeLong(minuteCount);
            out.writeLong(previousMinuteCount);
            out.writeLong(changedAt);
            out.writeLong(publishedRate);
            out.writeBoolean(moreDimensions);
            out.writeShort(dimensions.size());
            for (Map.Entry<String, ValueSample> e : dimensions.entrySet()) {
                StringValue.writeString(e.getKey(), out);
                out.writeBoolean(e.getValue().more);
                out.writeShort(e.getValue().values.size());
                for (String v : e.getValue().values) {
                    StringValue.writeString(v, out);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a growing in-memory buffer does not fail
        }
        return out.getCopyOfBuffer();
    }

    static MetricSummary fromBytes(byte[] bytes) {
        DataInputDeserializer in = new DataInputDeserializer(bytes);
        try {
            int version = in.readUnsignedByte();
            if (version != FORMAT_VERSION) {
                throw new IllegalStateException("metric metadata of format " + version + ", this job reads "
                        + FORMAT_VERSION);
            }
            MetricSummary s = new MetricSummary(StringValue.readString(in), StringValue.readString(in));
            s.firstSeen = in.readLong();
            s.lastSeen = in.readLong();
            s.lastTimestamp = in.readLong();
            s.lastFloating = in.readBoolean();
            s.lastBits = in.readLong();
            s.points = in.readLong();
            s.minute = in.readLong();
            s.minuteCount = in.readLong();
            s.previousMinuteCount = in.readLong();
            s.changedAt = in.readLong();
            s.publishedRate = in.readLong();
            s.moreDimensions = in.readBoolean();
            int dims = in.readUnsignedShort();
            for (int i = 0; i < dims; i++) {
                ValueSample sample = new ValueSample();
                String key = StringValue.readString(in);
                s.sampleChars += key.length();
                sample.more = in.readBoolean();
                int values = in.readUnsignedShort();
                for (int j = 0; j < values; j++) {
                    String v = StringValue.readString(in);
                    sample.values.add(v);
                    s.sampleChars += v.length();
                }
                s.dimensions.put(key, sample);
            }
            return s;
        } catch (IOException e) {
            throw new IllegalStateException("unreadable metric metadata", e);
        }
    }

    /** The record key on the metadata topic. */
    String key() {
        return key(tenant, metric);
    }

    static String key(String tenant, String metric) {
        return tenant + '/' + metric;
    }

    /**
     * The record value: {@code {"tenant","metric","dimensions":[{"name","values":[..],"more_values"}],"targets":[..],
     * "more_targets","first_seen","last_seen","last_value","last_value_time","last_timestamp","points_per_minute",
     * "points_total","updated"}}, times as ISO-8601 UTC; dimensions sorted by name.
     */
    byte[] toJson(long now) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (JsonGenerator g = JSON.createGenerator(bytes, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeStringField("tenant", tenant);
            g.writeStringField("metric", metric);
            g.writeArrayFieldStart("dimensions");
            for (Map.Entry<String, ValueSample> e : new TreeMap<>(dimensions).entrySet()) {
                if (e.getKey().equals(TARGET_TAG)) {
                    continue;
                }
                g.writeStartObject();
                g.writeStringField("name", e.getKey());
                writeValues(g, "values", e.getValue().values);
                g.writeBooleanField("more_values", e.getValue().more);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeBooleanField("more_dimensions", moreDimensions);
            ValueSample targets = dimensions.get(TARGET_TAG);
            writeValues(g, "targets", targets == null ? List.of() : targets.values);
            g.writeBooleanField("more_targets", targets != null && targets.more);
            g.writeStringField("first_seen", Instant.ofEpochMilli(firstSeen).toString());
            g.writeStringField("last_seen", Instant.ofEpochMilli(lastSeen).toString());
            g.writeFieldName("last_value");
            if (lastFloating) {
                g.writeNumber(Double.longBitsToDouble(lastBits));
            } else {
                g.writeNumber(lastBits);
            }
            g.writeStringField("last_value_time",
                    Instant.ofEpochMilli(DataPoint.instantMillis(lastTimestamp)).toString());
            g.writeNumberField("last_timestamp", lastTimestamp);
            g.writeNumberField("points_per_minute", pointsPerMinute(now));
            g.writeNumberField("points_total", points);
            g.writeStringField("updated", Instant.ofEpochMilli(now).toString());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void writeValues(JsonGenerator g, String field, Iterable<String> values) throws IOException {
        g.writeArrayFieldStart(field);
        for (String v : values) {
            g.writeString(v);
        }
        g.writeEndArray();
    }

    /** For tests: the sampled values of one tag key, in the order seen. */
    List<String> values(String tagKey) {
        ValueSample s = dimensions.get(tagKey);
        return s == null ? List.of() : new ArrayList<>(s.values);
    }
}
