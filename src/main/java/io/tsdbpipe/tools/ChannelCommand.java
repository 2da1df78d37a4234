package io.tsdbpipe.tools;

import io.tsdbpipe.channel.Channel;
import io.tsdbpipe.channel.ChannelAdmin;
import io.tsdbpipe.channel.ChannelKind;
import io.tsdbpipe.channel.ChannelTokens;
import io.tsdbpipe.channel.ChannelLimits;
import io.tsdbpipe.job.ChannelOptions;
import io.tsdbpipe.job.JobConfig;
import io.tsdbpipe.job.SourceOptions;
import io.tsdbpipe.metadata.MetadataOptions;
import io.tsdbpipe.metadata.MetadataStage;
import io.tsdbpipe.metadata.MetadataTopic;
import io.tsdbpipe.metadata.MetricDescriptions;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.util.TimeUtils;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Manages the channel registry of a running job (scripts/channel.sh): writes channel records to the channel topic,
 * which every decode subtask follows. Tokens are generated here (256 random bits) and printed once; the topic, the job
 * and its checkpoints only ever hold their SHA-256.
 */
public final class ChannelCommand {

    static final String USAGE = String.join("\n",
            "Usage: channel.sh [--config FILE] [--bootstrap-servers HOST:PORT] [--topic TOPIC] COMMAND [OPTIONS]",
            "",
            "Commands:",
            "  create  --name NAME [--kind time_series|events] [--data-id ID] [--metric-prefix PREFIX]",
            "          [--tag KEY=VALUE]... [--max-items N] [--max-future DURATION] [--events-metric METRIC]",
            "          registers a channel with a new access token, printed once (data_id: next free from 1500000)",
            "  update  --data-id ID [--rotate-token] [--name NAME] [--metric-prefix PREFIX] [--tag KEY=VALUE]...",
            "          [--clear-tags] [--max-items N] [--max-future DURATION] [--events-metric METRIC] [--enable]",
            "          changes a channel; --rotate-token prints the new token once (the old one stops working)",
            "  disable --data-id ID     refuses the channel's reports (unknown_channel) until update --enable",
            "  create and update also take the channel's own governance values (VALUE 'default': the configuration's):",
            "          [--cardinality on|off] [--max-active-series N] [--max-new-series-per-hour N]",
            "          [--max-new-series-per-day N] [--rate-limit on|off] [--datapoints-per-second N] [--burst N]",
            "          [--rate-limit-policy dead-letter|back-pressure] [--suppression on|off]",
            "          [--suppression-max-interval DURATION]   (limits are totals over the job; 0 = no limit)",
            "  list                     prints every channel (never a token)",
            "  describe --data-id ID | --tenant TENANT [--json FILE]",
            "          the metrics the channel (or another tenant: topic:NAME, prefix:PREFIX) reported: dimensions,",
            "          sample values, targets, first/last seen, last value, points per minute (metadata.enabled);",
            "          --json writes the same as one JSON document",
            "",
            "--config (default flink-conf/pipeline.yaml) gives channels.topic, channels.bootstrap-servers (or",
            "source.bootstrap-servers) and source.properties.*; --bootstrap-servers and --topic override them.",
            "describe reads metadata.topic with the metadata sink's client settings (metadata.bootstrap-servers,",
            "else source.bootstrap-servers; metadata.properties.*, not source.properties.*); --bootstrap-servers",
            "and --topic override them.");

    private ChannelCommand() {}

    public static void main(String[] args) {
        try {
            System.exit(run(args, System.out));
        } catch (IllegalArgumentException e) {
            System.err.println("channel.sh: " + e.getMessage());
            System.exit(2);
        } catch (IllegalStateException e) {
            System.err.println("channel.sh: " + e.getMessage());
            System.exit(1);
        }
    }

    static int run(String[] args, PrintStream out) throws IllegalArgumentException {
        Map<String, List<String>> opts = new TreeMap<>();
        String command = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                out.println(USAGE);
                return 0;
            }
            if (a.startsWith("--")) {
                String key = a.substring(2);
                String value = "true";
                if (!key.equals("rotate-token") && !key.equals("clear-tags") && !key.equals("enable")) {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException("missing value for " + a);
                    }
                    value = args[++i];
                }
                opts.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
            } else if (command == null) {
                command = a;
            } else {
                throw new IllegalArgumentException("unexpected argument '" + a + "'\n" + USAGE);
            }
        }
        if (command == null) {
            throw new IllegalArgumentException("a command is required\n" + USAGE);
        }
        if (command.equals("describe")) {
            return describe(opts, out);
        }
        try (ChannelAdmin admin = admin(opts)) {
            switch (command) {
                case "create":
                    return create(admin, opts, out);
                case "update":
                    return update(admin, opts, out);
                case "disable":
                    print(out, admin.setEnabled(requiredId(opts), false), "disabled");
                    return 0;
                case "list":
                    admin.channels().values().forEach(c -> print(out, c, null));
                    return 0;
                default:
                    throw new IllegalArgumentException("unknown command '" + command + "'\n" + USAGE);
            }
        }
    }

    static ChannelAdmin admin(Map<String, List<String>> opts) {
        Configuration conf = configuration(opts);
        Properties props = clientProperties(opts, conf, ChannelOptions.BOOTSTRAP_SERVERS);
        String topic = one(opts, "topic");
        if (topic == null) {
            topic = conf.get(ChannelOptions.TOPIC);
        }
        if (topic == null || topic.isBlank()) {
            throw new IllegalArgumentException("no channel topic: set channels.topic or give --topic");
        }
        return new ChannelAdmin(topic.trim(), props, Duration.ofSeconds(30));
    }

    /**
     * Reads the metadata topic from its earliest offsets to its end and prints the tenant's metrics; a BlueKing
     * channel's tenant is its data_id.
     */
    private static int describe(Map<String, List<String>> opts, PrintStream out) {
        String id = one(opts, "data-id");
        String tenant = one(opts, "tenant");
        if ((id == null) == (tenant == null)) {
            throw new IllegalArgumentException("describe needs --data-id ID or --tenant TENANT");
        }
        if (id != null) {
            tenant = Long.toString(parseLong(id, "--data-id"));
        }
        Configuration conf = configuration(opts);
        Properties props = metadataClient(conf, one(opts, "bootstrap-servers"));
        String topic = orDefault(one(opts, "topic"), conf.get(MetadataOptions.TOPIC));
        MetricDescriptions metrics =
                MetricDescriptions.of(tenant, MetadataTopic.read(props, topic.trim(), Duration.ofSeconds(30)));
        metrics.print(out);
        String json = one(opts, "json");
        if (json != null) {
            try {
                new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(Path.of(json).toFile(),
                        metrics.toJson());
            } catch (java.io.IOException e) {
                throw new IllegalStateException("could not write " + json + ": " + e.getMessage(), e);
            }
            out.println();
            out.println("written to " + json);
        }
        return 0;
    }

    /** The metadata topic's client settings, as the job's metadata sink has them; {@code bootstrap} overrides. */
    static Properties metadataClient(Configuration conf, String bootstrap) {
        Properties props = MetadataStage.producerProperties(conf, conf.get(SourceOptions.BOOTSTRAP_SERVERS));
        if (bootstrap != null) {
            props.setProperty("bootstrap.servers", bootstrap);
        }
        return props;
    }

    /**
     * The source's client properties (security settings) with the brokers of {@code --bootstrap-servers}, else of
     * {@code servers}, else the source's.
     */
    private static Properties clientProperties(
            Map<String, List<String>> opts, Configuration conf, ConfigOption<String> servers) {
        Properties props = new Properties();
        conf.toMap().forEach((k, v) -> {
            if (k.startsWith(SourceOptions.PROPERTIES_PREFIX)) {
                props.setProperty(k.substring(SourceOptions.PROPERTIES_PREFIX.length()), v);
            }
        });
        String bootstrap = one(opts, "bootstrap-servers");
        if (bootstrap == null) {
            bootstrap = conf.getOptional(servers).orElse(conf.get(SourceOptions.BOOTSTRAP_SERVERS));
        }
        props.setProperty("bootstrap.servers", bootstrap);
        return props;
    }

    private static Configuration configuration(Map<String, List<String>> opts) {
        String config = one(opts, "config");
        try {
            List<String> jobArgs = new ArrayList<>();
            Path file = Path.of(config != null ? config : "flink-conf/pipeline.yaml");
            if (config != null || Files.isRegularFile(file)) {
                jobArgs.add("--config");
                jobArgs.add(file.toString());
            }
            return JobConfig.fromArgs(jobArgs.toArray(new String[0])).configuration();
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    private static int create(ChannelAdmin admin, Map<String, List<String>> opts, PrintStream out) {
        String name = one(opts, "name");
        if (name == null) {
            throw new IllegalArgumentException("create needs --name");
        }
        ChannelKind kind = kind(opts, ChannelKind.TIME_SERIES);
        String id = one(opts, "data-id");
        ChannelAdmin.Created created = admin.create(
                id == null ? 0 : parseLong(id, "--data-id"),
                name,
                kind,
                orDefault(one(opts, "metric-prefix"), ""),
                tags(opts.getOrDefault("tag", List.of())),
                maxItems(opts, 0),
                maxFuture(opts, -1),
                one(opts, "events-metric"),
                limits(opts, ChannelLimits.NONE));
        print(out, created.channel(), "created");
        printToken(out, created);
        return 0;
    }

    private static int update(ChannelAdmin admin, Map<String, List<String>> opts, PrintStream out) {
        long id = requiredId(opts);
        Channel c = admin.channel(id).orElseThrow(() ->
                new IllegalArgumentException("data_id " + id + " is not a channel of " + admin.topic()));
        if (opts.containsKey("rotate-token")) {
            ChannelAdmin.Created rotated = admin.rotateToken(id);
            c = rotated.channel();
            print(out, c, "token rotated");
            printToken(out, rotated);
        }
        boolean changed = opts.keySet().stream().anyMatch(k -> List.of("name", "kind", "metric-prefix", "tag",
                "clear-tags", "max-items", "max-future", "events-metric", "enable").contains(k)
                || LIMIT_FLAGS.containsKey(k));
        if (changed) {
            String[] tags = opts.containsKey("clear-tags") ? new String[0] : c.tags();
            if (opts.containsKey("tag")) {
                tags = merge(tags, tags(opts.get("tag")));
            }
            Channel next = new Channel(id, orDefault(one(opts, "name"), c.name()), kind(opts, c.kind()),
                    c.tokenSha256(), orDefault(one(opts, "metric-prefix"), c.metricPrefix()), tags,
                    maxItems(opts, c.maxItems()), maxFuture(opts, c.maxFutureMillis()),
                    orDefault(one(opts, "events-metric"), c.eventsMetricOverride()),
                    opts.containsKey("enable") || c.enabled(), c.version(), limits(opts, c.limits()));
            print(out, admin.update(next), "updated");
        }
        if (!changed && !opts.containsKey("rotate-token")) {
            throw new IllegalArgumentException("update needs something to change\n" + USAGE);
        }
        return 0;
    }

    /** The governance flags and the {@link ChannelLimits} field each sets. */
    static final Map<String, String> LIMIT_FLAGS = Map.of(
            "cardinality", "cardinality.enabled",
            "max-active-series", "cardinality.max-active-series",
            "max-new-series-per-hour", "cardinality.max-new-series-per-hour",
            "max-new-series-per-day", "cardinality.max-new-series-per-day",
            "rate-limit", "rate-limit.enabled",
            "datapoints-per-second", "rate-limit.datapoints-per-second",
            "burst", "rate-limit.burst",
            "rate-limit-policy", "rate-limit.policy",
            "suppression", "suppression.enabled",
            "suppression-max-interval", "suppression.max-interval");

    /** {@code current} with the governance flags given applied ('default' unsets a field). */
    private static ChannelLimits limits(Map<String, List<String>> opts, ChannelLimits current) {
        Map<String, String> fields = new TreeMap<>(current.describe());
        boolean any = false;
        for (Map.Entry<String, String> flag : LIMIT_FLAGS.entrySet()) {
            String v = one(opts, flag.getKey());
            if (v == null) {
                continue;
            }
            any = true;
            if (v.equalsIgnoreCase("default")) {
                fields.remove(flag.getValue());
            } else {
                fields.put(flag.getValue(), v.equalsIgnoreCase("on") ? "true" : v.equalsIgnoreCase("off") ? "false" : v);
            }
        }
        if (!any) {
            return current;
        }
        try {
            return ChannelLimits.parse(fields, "", text -> TimeUtils.parseDuration(text).toMillis());
        } catch (IllegalArgumentException e) {
            String flag = LIMIT_FLAGS.entrySet().stream().filter(f -> e.getMessage().contains("'" + f.getValue() + "'"))
                    .map(f -> "--" + f.getKey()).findFirst().orElse("a governance flag");
            throw new IllegalArgumentException(flag + ": " + e.getMessage());
        }
    }

    private static void printToken(PrintStream out, ChannelAdmin.Created created) {
        out.println("access_token: " + created.token());
        out.println("Store this token now: it is shown only once (the registry keeps only its SHA-256).");
    }

    private static void print(PrintStream out, Channel c, String what) {
        StringBuilder sb = new StringBuilder();
        if (what != null) {
            sb.append(what).append(": ");
        }
        sb.append("data_id=").append(c.dataId()).append(" name=").append(c.name()).append(" kind=")
                .append(c.kind().code()).append(" enabled=").append(c.enabled()).append(" metric_prefix=")
                .append(c.metricPrefix().isEmpty() ? "-" : c.metricPrefix());
        for (int i = 0; i < c.tags().length; i += 2) {
            sb.append(" tag:").append(c.tags()[i]).append('=').append(c.tags()[i + 1]);
        }
        if (c.maxItems() > 0) {
            sb.append(" max_items=").append(c.maxItems());
        }
        if (c.maxFutureMillis() >= 0) {
            sb.append(" max_future=").append(c.maxFutureMillis() / 1000).append('s');
        }
        if (c.eventsMetricOverride() != null) {
            sb.append(" events_metric=").append(c.eventsMetricOverride());
        }
        c.limits().describe().forEach((k, v) -> sb.append(' ').append(k).append('=').append(v.replace(" ", "")));
        if (c.tokenSha256().length > 0) {
            sb.append(" token_sha256=").append(ChannelTokens.hex(c.tokenSha256()), 0, 12).append("...");
        }
        sb.append(" version=").append(c.version() > 0 ? Instant.ofEpochMilli(c.version()).toString() : "-");
        out.println(sb);
    }

    private static long requiredId(Map<String, List<String>> opts) {
        String id = one(opts, "data-id");
        if (id == null) {
            throw new IllegalArgumentException("--data-id is required");
        }
        return parseLong(id, "--data-id");
    }

    private static ChannelKind kind(Map<String, List<String>> opts, ChannelKind fallback) {
        String k = one(opts, "kind");
        if (k == null) {
            return fallback;
        }
        ChannelKind kind = ChannelKind.parse(k);
        if (kind == null) {
            throw new IllegalArgumentException("--kind must be time_series or events, was " + k);
        }
        return kind;
    }

    private static int maxItems(Map<String, List<String>> opts, int fallback) {
        String v = one(opts, "max-items");
        return v == null ? fallback : (int) parseLong(v, "--max-items");
    }

    private static long maxFuture(Map<String, List<String>> opts, long fallback) {
        String v = one(opts, "max-future");
        if (v == null) {
            return fallback;
        }
        try {
            return TimeUtils.parseDuration(v).toMillis();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--max-future: " + e.getMessage());
        }
    }

    private static String[] tags(List<String> pairs) {
        List<String> flat = new ArrayList<>();
        for (String p : pairs) {
            int eq = p.indexOf('=');
            if (eq <= 0 || eq == p.length() - 1) {
                throw new IllegalArgumentException("--tag takes KEY=VALUE, was " + p);
            }
            flat.add(p.substring(0, eq));
            flat.add(p.substring(eq + 1));
        }
        return flat.toArray(new String[0]);
    }

    private static String[] merge(String[] base, String[] more) {
        Map<String, String> m = new TreeMap<>();
        for (int i = 0; i < base.length; i += 2) {
            m.put(base[i], base[i + 1]);
        }
        for (int i = 0; i < more.length; i += 2) {
            m.put(more[i], more[i + 1]);
        }
        List<String> flat = new ArrayList<>();
        m.forEach((k, v) -> {
            flat.add(k);
            flat.add(v);
        });
        return flat.toArray(new String[0]);
    }

    private static long parseLong(String v, String what) {
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " must be an integer, was " + v);
        }
    }

    private static String one(Map<String, List<String>> opts, String key) {
        List<String> v = opts.get(key);
        return v == null || v.isEmpty() ? null : v.get(v.size() - 1);
    }

    private static String orDefault(String v, String fallback) {
        return v != null ? v : fallback;
    }
}
