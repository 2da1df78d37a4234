package io.tsdbpipe.channel;


import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.ToLongFunction;

/**
 * Reads the channels of the job configuration: {@code <prefix><data_id>.<field>} keys, e.g.
 *
 * <pre>
 * channels.static.1500001.name: app1
 * channels.static.1500001.token: ...            (or token-sha256: hex; the token itself is hashed here, never kept)
 * channels.static.1500001.kind: time_series     (or events)
 * channels.static.1500001.metric-prefix: bk.app1
 * channels.static.1500001.tags.tenant: app1
 * channels.static.1500001.max-items: 1000
 * channels.static.1500001.max-future: 1 h
 * channels.static.1500001.events-metric: bk.app1.event_count
 * channels.static.1500001.enabled: true
 * channels.static.1500001.cardinality.max-active-series: 5000    (and every other field of ChannelLimits.FIELDS)
 * </pre>
 *
 * Every problem is an {@link IllegalArgumentException} naming the key; token values are never quoted. Free of Flink (the
 * gateway reads the same keys): the job's {@link StaticChannelConfig} gives it Flink's duration parser.
 */
public final class StaticChannelParser {

    static final Set<String> FIELDS = Set.of(
            "name", "token", "token-sha256", "kind", "metric-prefix", "max-items", "max-future", "events-metric",
            "enabled");

    private StaticChannelParser() {}

    /**
     * @param maxFutureMillis reads a {@code max-future} value (throws {@link IllegalArgumentException} if it cannot)
     */
    public static StaticChannels parse(
            Map<String, String> conf, String prefix, ToLongFunction<String> maxFutureMillis) {
        Map<Long, Map<String, String>> byId = new TreeMap<>();
        for (Map.Entry<String, String> e : conf.entrySet()) {
            if (!e.getKey().startsWith(prefix)) {
                continue;
            }
            String rest = e.getKey().substring(prefix.length());
            int dot = rest.indexOf('.');
            if (dot <= 0) {
                throw new IllegalArgumentException("Configuration key '" + e.getKey() + "': expected "
                        + prefix + "<data_id>.<field>");
            }
            long id;
            try {
                id = Long.parseLong(rest.substring(0, dot));
            } catch (NumberFormatException ex) {
                id = -1;
            }
            if (id <= 0) {
                throw new IllegalArgumentException("Configuration key '" + e.getKey() + "': '"
                        + rest.substring(0, dot) + "' is not a data_id (a positive integer)");
            }
            String field = rest.substring(dot + 1);
            if (!FIELDS.contains(field) && !field.startsWith("tags.") && !ChannelLimits.FIELDS.contains(field)) {
                throw new IllegalArgumentException("Unknown configuration key '" + e.getKey() + "': a channel takes "
                        + new java.util.TreeSet<>(FIELDS) + ", tags.<key> and " + ChannelLimits.FIELDS);
            }
            byId.computeIfAbsent(id, k -> new TreeMap<>()).put(field, e.getValue());
        }
        Map<Long, Channel> channels = new TreeMap<>();
        for (Map.Entry<Long, Map<String, String>> e : byId.entrySet()) {
            channels.put(e.getKey(), channel(e.getKey(), e.getValue(), prefix + e.getKey() + ".", maxFutureMillis));
        }
        return new StaticChannels(channels);
    }

    private static Channel channel(
            long id, Map<String, String> f, String keyPrefix, ToLongFunction<String> maxFutureMillis) {
        String kindText = f.getOrDefault("kind", "time_series");
        ChannelKind kind = ChannelKind.parse(kindText);
        if (kind == null) {
            throw new IllegalArgumentException("Invalid value '" + kindText + "' for configuration key '" + keyPrefix
                    + "kind': expected time_series or events");
        }
        byte[] hash;
        if (f.containsKey("token") && f.containsKey("token-sha256")) {
            throw new IllegalArgumentException("Configuration keys '" + keyPrefix + "token' and '" + keyPrefix
                    + "token-sha256': set one, not both");
        } else if (f.containsKey("token")) {
            String token = f.get("token");
            if (token.length() < 16) {
                throw new IllegalArgumentException("Configuration key '" + keyPrefix
                        + "token': too short (at least 16 characters; scripts/channel.sh generates 64)");
            }
            hash = ChannelTokens.sha256(token);
        } else if (f.containsKey("token-sha256")) {
            hash = ChannelTokens.unhex(f.get("token-sha256").trim().toLowerCase(java.util.Locale.ROOT), 32);
            if (hash == null) {
                throw new IllegalArgumentException("Configuration key '" + keyPrefix
                        + "token-sha256': expected 64 hex characters");
            }
        } else {
            throw new IllegalArgumentException("Configuration key '" + keyPrefix + "token' (or '" + keyPrefix
                    + "token-sha256') is required");
        }
        List<String> tags = new ArrayList<>();
        for (Map.Entry<String, String> e : f.entrySet()) {
            if (e.getKey().startsWith("tags.")) {
                tags.add(e.getKey().substring("tags.".length()));
                tags.add(e.getValue());
            }
        }
        int maxItems = 0;
        if (f.containsKey("max-items")) {
            try {
                maxItems = Integer.parseInt(f.get("max-items").trim());
            } catch (NumberFormatException e) {
                maxItems = -1;
            }
            if (maxItems < 0) {
                throw new IllegalArgumentException("Invalid value '" + f.get("max-items") + "' for configuration key '"
                        + keyPrefix + "max-items': expected a non-negative integer (0 = no limit)");
            }
        }
        long maxFuture = -1;
        if (f.containsKey("max-future")) {
            try {
                maxFuture = maxFutureMillis.applyAsLong(f.get("max-future"));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Invalid value '" + f.get("max-future") + "' for configuration key '"
                        + keyPrefix + "max-future': " + e.getMessage());
            }
        }
        String enabledText = f.getOrDefault("enabled", "true").trim();
        if (!enabledText.equalsIgnoreCase("true") && !enabledText.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException("Invalid value '" + enabledText + "' for configuration key '" + keyPrefix
                    + "enabled': expected true or false");
        }
        Channel c = new Channel(id, f.getOrDefault("name", ""), kind, hash, f.getOrDefault("metric-prefix", ""),
                tags.toArray(new String[0]), maxItems, maxFuture, f.get("events-metric"),
                Boolean.parseBoolean(enabledText), Channel.CONFIG_VERSION,
                ChannelLimits.parse(f, keyPrefix, maxFutureMillis));
        try {
            ChannelRecords.validate(c, "");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Channel " + keyPrefix.substring(0, keyPrefix.length() - 1) + ": "
                    + e.getMessage());
        }
        return c;
    }
}
