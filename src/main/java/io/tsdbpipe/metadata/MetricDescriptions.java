package io.tsdbpipe.metadata;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One tenant's metrics as the metadata topic has them, printed like BlueKing's custom time series detail
 * (scripts/channel.sh describe) or as one JSON document for other tools.
 */
public final class MetricDescriptions {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String tenant;
    private final List<JsonNode> metrics;

    private MetricDescriptions(String tenant, List<JsonNode> metrics) {
        this.tenant = tenant;
        this.metrics = metrics;
    }

    /** The tenant's records of a {@link MetadataTopic#read} (key {@code <tenant>/<metric>}), by metric name. */
    public static MetricDescriptions of(String tenant, Map<String, JsonNode> topic) {
        String prefix = tenant + '/';
        List<JsonNode> metrics = new ArrayList<>();
        topic.forEach((key, value) -> {
            if (key.startsWith(prefix) && value.path("tenant").asText().equals(tenant)) {
                metrics.add(value);
            }
        });
        metrics.sort((a, b) -> a.path("metric").asText().compareTo(b.path("metric").asText()));
        return new MetricDescriptions(tenant, metrics);
    }

    public String tenant() {
        return tenant;
    }

    /** The records, by metric name (as {@link MetricSummary#toJson} wrote them). */
    public List<JsonNode> metrics() {
        return metrics;
    }

    /** {@code {"tenant":..,"metrics":[..records..]}}. */
    public ObjectNode toJson() {
        ObjectNode doc = JSON.createObjectNode();
        doc.put("tenant", tenant);
        ArrayNode array = doc.putArray("metrics");
        metrics.forEach(array::add);
        return doc;
    }

    public void print(PrintStream out) {
        out.println("tenant " + tenant + ": " + metrics.size() + (metrics.size() == 1 ? " metric" : " metrics"));
        for (JsonNode m : metrics) {
            out.println();
            out.println("metric " + m.path("metric").asText());
            StringBuilder dims = new StringBuilder();
            for (JsonNode d : m.path("dimensions")) {
                dims.append(dims.length() == 0 ? "" : ", ").append(d.path("name").asText()).append(" (")
                        .append(values(d.path("values"), d.path("more_values").asBoolean())).append(')');
            }
            if (m.path("more_dimensions").asBoolean()) {
                dims.append(", ...");
            }
            out.println("  dimensions:        " + (dims.length() == 0 ? "-" : dims));
            out.println("  targets:           " + (m.path("targets").isEmpty() ? "-"
                    : values(m.path("targets"), m.path("more_targets").asBoolean())));
            out.println("  first seen:        " + m.path("first_seen").asText());
            out.println("  last seen:         " + m.path("last_seen").asText());
            out.println("  last value:        " + m.path("last_value").asText() + " at "
                    + m.path("last_value_time").asText());
            out.println("  points per minute: " + m.path("points_per_minute").asLong() + " (total "
                    + m.path("points_total").asLong() + ", as of " + m.path("updated").asText() + ")");
        }
    }

    private static String values(JsonNode values, boolean more) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode v : values) {
            sb.append(sb.length() == 0 ? "" : ", ").append(v.asText());
        }
        return more ? sb + ", ..." : sb.toString();
    }
}
