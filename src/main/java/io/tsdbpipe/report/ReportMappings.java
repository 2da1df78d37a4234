package io.tsdbpipe.report;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The configured mappings ({@code mappings.<name>.*}): those bound to topics (every record of the topic goes through
 * the mapping; no shape detection) and those tried in order on records of no built-in shape (the first whose
 * {@code match} paths are all present takes the record). {@link #parse} reads them from the flat job configuration:
 *
 * <pre>
 * mappings.seed.appid: appIds
 * mappings.seed.metricname: network
 * mappings.seed.hostname: ip
 * mappings.seed.items: timestamp=value
 * mappings.seed.tags: instance_id=instance_id,type=type
 * mappings.seed.hostname-pattern: "[0-9.]+"     (optional)
 * mappings.seed.metric-separator: "."          (optional, default ".")
 * mappings.seed.topics: [tbds-frames]          (optional: bind to topics)
 * mappings.seed.root: records                  (optional: a path to an array of records)
 * mappings.seed.match: [timestamp, value]      (optional: default the items' paths, or the root)
 * mappings.order: [seed]                       (optional: default every mapping not bound to a topic, by name)
 * </pre>
 */
public final class ReportMappings implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final ReportMappings NONE = new ReportMappings(Map.of(), List.of());

    static final Set<String> FIELDS = Set.of(
            "appid", "metricname", "hostname", "hostname-pattern", "items", "tags", "metric-separator", "topics",
            "root", "match");

    private final HashMap<String, ReportMapping> byTopic;
    private final List<ReportMapping> ordered;

    ReportMappings(Map<String, ReportMapping> byTopic, List<ReportMapping> ordered) {
        this.byTopic = new HashMap<>(byTopic);
        this.ordered = List.copyOf(ordered);
    }

    /** The mapping bound to the topic, or null. */
    ReportMapping boundTo(String topic) {
        return byTopic.isEmpty() ? null : byTopic.get(topic);
    }

    List<ReportMapping> ordered() {
        return ordered;
    }

    public boolean isEmpty() {
        return byTopic.isEmpty() && ordered.isEmpty();
    }

    /** Names of the mappings tried in order, for messages. */
    List<String> orderedNames() {
        List<String> names = new ArrayList<>();
        ordered.forEach(m -> names.add(m.name()));
        return names;
    }

    /**
     * Reads every {@code <prefix><name>.<field>} key of {@code conf}.
     *
     * @param order the names to try in order, or null for every mapping without topics, by name
     * @throws IllegalArgumentException naming the configuration key that is wrong
     */
    public static ReportMappings parse(Map<String, String> conf, String prefix, List<String> order, String orderKey) {
        Map<String, Map<String, String>> byName = new TreeMap<>();
        for (Map.Entry<String, String> e : conf.entrySet()) {
            String key = e.getKey();
            if (!key.startsWith(prefix) || key.equals(orderKey)) {
                continue;
            }
            String rest = key.substring(prefix.length());
            int dot = rest.indexOf('.');
            String field = dot < 0 ? "" : rest.substring(dot + 1);
            if (dot <= 0 || !FIELDS.contains(field)) {
                throw new IllegalArgumentException("Unknown configuration key '" + key + "': a mapping is "
                        + prefix + "<name>.<field> with a field of " + new java.util.TreeSet<>(FIELDS));
            }
            byName.computeIfAbsent(rest.substring(0, dot), k -> new TreeMap<>()).put(field, e.getValue());
        }
        Map<String, ReportMapping> mappings = new LinkedHashMap<>();
        for (Map.Entry<String, Map<String, String>> e : byName.entrySet()) {
            mappings.put(e.getKey(), mapping(e.getKey(), e.getValue(), prefix + e.getKey() + "."));
        }
        Map<String, ReportMapping> byTopic = new HashMap<>();
        for (ReportMapping m : mappings.values()) {
            for (String topic : m.topics()) {
                ReportMapping previous = byTopic.put(topic, m);
                if (previous != null) {
                    throw new IllegalArgumentException("Topic '" + topic + "' is bound to mappings " + previous.name()
                            + " and " + m.name() + " (" + prefix + "<name>.topics)");
                }
            }
        }
        List<ReportMapping> ordered = new ArrayList<>();
        if (order == null) {
            mappings.values().stream().filter(m -> m.topics().isEmpty()).forEach(ordered::add);
        } else {
            for (String name : order) {
                ReportMapping m = mappings.get(name.trim());
                if (m == null) {
                    throw new IllegalArgumentException("Configuration key '" + orderKey + "' names mapping '" + name
                            + "', which is not configured (" + prefix + name + ".*)");
                }
                ordered.add(m);
            }
        }
        return new ReportMappings(byTopic, ordered);
    }

    private static ReportMapping mapping(String name, Map<String, String> f, String keyPrefix) {
        for (String required : List.of("appid", "metricname", "hostname", "items")) {
            if (f.get(required) == null || f.get(required).isBlank()) {
                throw new IllegalArgumentException("Configuration key '" + keyPrefix + required + "' is required");
            }
        }
        KeyPath hostname = path(f.get("hostname"), keyPrefix + "hostname");
        Pattern pattern = null;
        if (f.containsKey("hostname-pattern")) {
            try {
                pattern = Pattern.compile(f.get("hostname-pattern"));
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("Invalid value for configuration key '" + keyPrefix
                        + "hostname-pattern': " + e.getDescription());
            }
        }
        String items = f.get("items").trim();
        List<KeyPath> timestamps = new ArrayList<>();
        List<KeyPath> values = new ArrayList<>();
        KeyPath itemMap = null;
        if (items.indexOf('=') < 0) {
            itemMap = path(items, keyPrefix + "items");
        } else {
            for (String pair : split(items)) {
                int eq = pair.indexOf('=');
                if (eq <= 0 || eq == pair.length() - 1) {
                    throw new IllegalArgumentException("Invalid value '" + items + "' for configuration key '"
                            + keyPrefix + "items': expected timestampPath=valuePath[,...] or the path of a "
                            + "timestamp=value object");
                }
                timestamps.add(path(pair.substring(0, eq), keyPrefix + "items"));
                values.add(path(pair.substring(eq + 1), keyPrefix + "items"));
            }
        }
        List<String> tagKeys = new ArrayList<>();
        List<KeyPath> tagPaths = new ArrayList<>();
        if (f.containsKey("tags") && !f.get("tags").isBlank()) {
            for (String pair : split(f.get("tags"))) {
                int eq = pair.indexOf('=');
                String tagk = (eq < 0 ? pair : pair.substring(0, eq)).trim();
                String p = eq < 0 ? tagk : pair.substring(eq + 1).trim();
                if (tagk.isEmpty() || tagk.equals("hostname")) {
                    throw new IllegalArgumentException("Invalid value '" + f.get("tags") + "' for configuration key '"
                            + keyPrefix + "tags': expected tagk=path[,...] (hostname is always added)");
                }
                tagKeys.add(tagk);
                tagPaths.add(path(p, keyPrefix + "tags"));
            }
        }
        KeyPath root = f.containsKey("root") ? path(f.get("root"), keyPrefix + "root") : null;
        List<KeyPath> match = new ArrayList<>();
        if (f.containsKey("match")) {
            for (String m : split(f.get("match"))) {
                match.add(path(m, keyPrefix + "match"));
            }
        } else if (root != null) {
            match.add(root);
        } else if (itemMap != null) {
            match.add(itemMap);
        } else {
            match.addAll(timestamps);
            match.addAll(values);
        }
        List<String> topics = new ArrayList<>();
        if (f.containsKey("topics")) {
            for (String t : split(f.get("topics"))) {
                topics.add(t.trim());
            }
        }
        return new ReportMapping(
                name,
                f.get("appid").trim(),
                f.get("metricname").trim(),
                hostname,
                pattern,
                f.getOrDefault("metric-separator", "."),
                timestamps.toArray(new KeyPath[0]),
                values.toArray(new KeyPath[0]),
                itemMap,
                tagKeys.toArray(new String[0]),
                tagPaths.toArray(new KeyPath[0]),
                root,
                match.toArray(new KeyPath[0]),
                topics);
    }

    private static KeyPath path(String text, String key) {
        try {
            return KeyPath.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid value '" + text + "' for configuration key '" + key + "': "
                    + e.getMessage());
        }
    }

    /** The seed's comma lists, or YAML lists (which the configuration flattens to {@code a;b}). */
    private static List<String> split(String text) {
        List<String> parts = new ArrayList<>();
        for (String s : text.split("[,;]")) {
            if (!s.isBlank()) {
                parts.add(s.trim());
            }
        }
        return parts;
    }
}
