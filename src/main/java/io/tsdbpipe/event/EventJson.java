package io.tsdbpipe.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The JSON forms of an {@link Event}: the events topic's record and an annotation's custom entry. */
public final class EventJson {

    private static final JsonFactory JSON = new JsonFactory();

    private EventJson() {}

    /**
     * The events topic's value: the BlueKing event as sent, plus its id, channel and source record:
     *
     * <pre>{"event_id":"reports-0@12#0","data_id":1500002,"channel":"app-events","event_name":"login_failed",
     *  "event":{"content":"user xxx login failed"},"target":"127.0.0.1",
     *  "dimension":{"event_type":"abnormal","module":"db"},"timestamp":1612509542000,
     *  "source":{"topic":"reports","partition":0,"offset":12}}</pre>
     */
    public static byte[] record(Event e) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + e.content().length());
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("event_id", e.eventId());
            g.writeNumberField("data_id", e.dataId());
            g.writeStringField("channel", e.channel());
            g.writeStringField("event_name", e.eventName());
            g.writeObjectFieldStart("event");
            g.writeStringField("content", e.content());
            g.writeEndObject();
            g.writeStringField("target", e.target());
            dimensions(g, e);
            g.writeNumberField("timestamp", e.timestampMillis());
            g.writeObjectFieldStart("source");
            g.writeStringField("topic", e.origin().topic());
            g.writeNumberField("partition", e.origin().partition());
            g.writeNumberField("offset", e.origin().offset());
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out.toByteArray();
    }

    /**
     * An annotation's custom entry (OpenTSDB keeps custom values as strings): the event without its source, the
     * content cut to {@code maxContentChars}.
     */
    public static String annotationEntry(Event e, int maxContentChars) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(192 + Math.min(maxContentChars, e.content().length()));
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("data_id", e.dataId());
            g.writeStringField("channel", e.channel());
            g.writeStringField("event_name", e.eventName());
            g.writeStringField("target", e.target());
            g.writeStringField("event_type", e.eventType());
            g.writeStringField("content", cut(e.content(), maxContentChars));
            dimensions(g, e);
            g.writeNumberField("timestamp", e.timestampMillis());
            g.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** One line of an annotation's notes: {@code [1500002 app-events] login_failed @127.0.0.1 (abnormal): content}. */
    public static String noteLine(Event e, int maxContentChars) {
        return "[" + e.dataId() + (e.channel().isEmpty() ? "" : " " + e.channel()) + "] " + e.eventName() + " @"
                + e.target() + " (" + e.eventType() + "): " + cut(e.content(), Math.min(maxContentChars, 200))
                        .replace('\n', ' ');
    }

    private static void dimensions(JsonGenerator g, Event e) throws IOException {
        g.writeObjectFieldStart("dimension");
        String[] d = e.dimensions();
        for (int i = 0; i < d.length; i += 2) {
            g.writeStringField(d[i], d[i + 1]);
        }
        g.writeEndObject();
    }

    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "...";
    }
}
