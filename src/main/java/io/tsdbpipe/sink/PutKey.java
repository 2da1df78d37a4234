package io.tsdbpipe.sink;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * What identifies a datapoint in OpenTSDB's {@code ?details} answer: metric, timestamp, value text and tags (in key
 * order, since the TSD echoes them from a HashMap). The TSD echoes the value as the text it received, so the value is
 * compared as text; {@link #withoutValue()} is the looser key used when that text does not match.
 */
record PutKey(String exact, String withoutValue) {

    private static final JsonFactory JSON = new JsonFactory();

    private static PutKey of(String metric, String timestamp, String value, Map<String, String> sortedTags) {
        StringBuilder sb = new StringBuilder(64);
        sb.append(metric).append('\u0001').append(timestamp).append('\u0001');
        for (Map.Entry<String, String> t : sortedTags.entrySet()) {
            sb.append(t.getKey()).append('=').append(t.getValue()).append('\u0002');
        }
        String withoutValue = sb.toString();
        return new PutKey(withoutValue + '\u0001' + value, withoutValue);
    }

    /** The key of a point the sink rendered ({@link OpenTsdbElementConverter}); the value is kept as written. */
    static PutKey ofJson(byte[] json) {
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("not a JSON object");
            }
            String metric = "";
            String timestamp = "";
            String value = "";
            Map<String, String> tags = new TreeMap<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                switch (field) {
                    case "metric":
                        metric = p.getText();
                        break;
                    case "timestamp":
                        timestamp = p.getText();
                        break;
                    case "value":
                        value = p.getText();
                        break;
                    case "tags":
                        if (t == JsonToken.START_OBJECT) {
                            while (p.nextToken() == JsonToken.FIELD_NAME) {
                                String k = p.currentName();
                                p.nextToken();
                                tags.put(k, p.getText());
                            }
                        } else {
                            p.skipChildren();
                        }
                        break;
                    default:
                        p.skipChildren();
                }
            }
            return of(metric, timestamp, value, tags);
        } catch (IOException e) {
            throw new IllegalArgumentException("unreadable point JSON", e);
        }
    }

    /** The key of a datapoint as OpenTSDB echoes it in {@code "errors":[{"datapoint":{...}}]}. */
    static PutKey ofEcho(JsonNode dp) {
        Map<String, String> tags = new TreeMap<>();
        JsonNode tagNode = dp.path("tags");
        for (Iterator<Map.Entry<String, JsonNode>> it = tagNode.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> t = it.next();
            tags.put(t.getKey(), t.getValue().asText());
        }
        return of(
                dp.path("metric").asText(""), dp.path("timestamp").asText(""), dp.path("value").asText(""), tags);
    }

    @Override
    public String toString() {
        return exact.replace('\u0001', ' ').replace('\u0002', ',');
    }
}
