package io.tsdbpipe.deadletter;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * The JSON layout of a dead-letter record (documented in README.md; keep it stable):
 *
 * <pre>{"reason":"invalid_metric","message":"...","topic":"reports","partition":0,"offset":42,
 *  "item":"{...}","item_truncated":false,"time":"2026-11-22T02:30:00.123Z"}</pre>
 *
 * plus {@code "data_id"} after the offset for a BlueKing report whose data_id was read.
 */
public final class DeadLetterRecord {

    private static final JsonFactory JSON = new JsonFactory();

    private DeadLetterRecord() {}

    public static byte[] toJson(Reject r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + r.item().length());
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("reason", r.reason().code());
            g.writeStringField("message", r.message());
            g.writeStringField("topic", r.origin().topic());
            g.writeNumberField("partition", r.origin().partition());
            g.writeNumberField("offset", r.origin().offset());
            if (r.origin().hasDataId()) {
                g.writeNumberField("data_id", r.origin().dataId());
            }
            g.writeStringField("item", r.item());
            g.writeBooleanField("item_truncated", r.truncated());
            g.writeStringField("time", Instant.ofEpochMilli(r.timeMillis()).toString());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
