package io.tsdbpipe.tools;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Produces realistic metric reports to a Kafka topic (or the report gateway): TBDS reports and OpenTSDB put JSON, and on
 * request BlueKing time series and events and mapped records (see Other formats), deterministically from a seed, so
 * that the datapoints they carry are known in advance (tests, benchmarks, demos). Run by {@code scripts/loadgen.sh}.
 *
 * <p><b>The stream.</b> {@code --series N} series, each owned by one format ({@code --format mixed} alternates them).
 * Series {@code s} has a point at every {@code --interval} seconds from {@code --start-epoch}: round {@code r} gives the
 * timestamp {@code start + r * interval} (TBDS: in milliseconds, with a fixed per-series millisecond offset, as the
 * TBDS agents send them; OpenTSDB JSON: in seconds) and a value that is a function of (seed, series, round) only:
 * counters (TBDS bytes counters, strictly increasing), integer gauges (bytes) and floating-point gauges in steps of
 * 0.25 or 0.125 (exact in binary, so OpenTSDB returns exactly the value sent). Each format's points are taken round
 * by round, series by series, {@code --points-per-report} at a time; report {@code k} belongs to format
 * {@code k mod formats}. So report {@code k}'s content depends only on the options above and {@code k}: a run with
 * {@code --skip K} continues exactly where a run with {@code --count K} stopped (newer timestamps, same series).
 *
 * <p><b>Knowing the datapoints.</b> {@code --expected FILE} writes every datapoint of every report sent, one
 * {@code /api/put}-style JSON line each, as OpenTSDB will hold it ({@code {"metric","timestamp","value","tags"}}, the
 * TBDS hostname as a tag); {@code --print} writes the reports to stdout instead of Kafka (e.g. into
 * {@code scripts/dry-run.sh}). {@link #plan} gives the same stream to Java code.
 *
 * <p><b>Other formats.</b> {@code --format blueking}: BlueKing custom time series of channel
 * {@value BlueKingShape#DATA_ID} (token {@value BlueKingShape#TOKEN}, metric prefix {@value BlueKingShape#PREFIX}: the
 * job needs that channel configured, as scripts/bench-pipeline.sh does); {@code --format blueking-events}: BlueKing
 * custom events of channel {@value BlueKingEventShape#DATA_ID} (kind events, token {@value BlueKingEventShape#TOKEN}),
 * each point one event counting 1 in its count series; {@code --data-id}, {@code --token} and
 * {@code --metric-prefix} name another channel. {@code --format mapping}: records of the seed's Flume interceptor
 * shape, one datapoint each (needs {@code --points-per-report 1} and the topic bound to the shipped {@code seed}
 * mapping). None of them is in {@code mixed}.
 *
 * <p><b>Through the gateway.</b> {@code --http URL} posts the same reports to the report gateway instead of Kafka
 * ({@link HttpReportSender}: concurrent clients, 429/503 retried after Retry-After, answers counted by status).
 *
 * <p><b>Latency runs.</b> {@code --timestamps wall-clock} stamps every point with the time it is generated, in
 * milliseconds (every format), one millisecond past the series' previous point at least: a receiver that subtracts
 * the timestamp from its clock measures produced-to-acknowledged latency. The values stay those of the stream.
 *
 * <p>New report formats: implement {@link Shape} and add it to {@link #SHAPES}.
 */
public final class LoadGenerator {

    /** One report format: how series of it look and how a batch of its points is written as one report. */
    interface Shape {
        /** The name used by {@code --format}. */
        String name();

        /** Series number {@code index} (0-based, among this format's series) of this format. */
        SeriesSpec series(int index, long seed);

        /** One Kafka record value holding {@code points} (in order; several may belong to the same series). */
        String report(List<Point> points);
    }

    /** The formats {@code --format} knows (the BlueKing ones with their built-in channels). */
    static final List<Shape> SHAPES = List.of(new TbdsShape(), new OpenTsdbShape(), new BlueKingShape(),
            new BlueKingEventShape(), new MappingShape());

    /** The shape named {@code name}, the BlueKing ones writing for {@code channel} (null: their built-in channel). */
    static Shape shape(String name, BlueKingChannel channel) {
        if (channel != null && name.equals("blueking")) {
            return new BlueKingShape(channel);
        }
        if (channel != null && name.equals("blueking-events")) {
            return new BlueKingEventShape(channel);
        }
        return SHAPES.stream()
                .filter(s -> s.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown format '" + name + "'"));
    }

    /** The formats {@code --format mixed} alternates, in order. */
    static final List<String> MIXED = List.of("tbds", "opentsdb");

    /** How a series' values move. */
    public enum Kind {
        /** Strictly increasing integer (bytes sent, requests served). */
        COUNTER,
        /** Integer gauge (memory used in bytes, connections). */
        GAUGE_INT,
        /** Floating-point gauge in steps of 0.25 from 0 to 99.75 (CPU %, disk %). */
        PERCENT,
        /** Floating-point gauge in steps of 0.125 from 0 to 63.875 (load average). */
        LOAD,
        /** One BlueKing event: counts 1 in its count series (the job writes the sum per window). */
        EVENT
    }

    /** The BlueKing channel the reports are for: its data_id, access token and metric prefix (for the expected points). */
    public record BlueKingChannel(long dataId, String token, String metricPrefix) {

        public BlueKingChannel {
            if (dataId < 1) {
                throw new IllegalArgumentException("--data-id must be a positive integer, got " + dataId);
            }
            if (token == null || token.isEmpty()) {
                throw new IllegalArgumentException("--token must not be empty");
            }
        }

        /** The metric of {@code key} as the job names it: the prefix, a dot, the key (the key alone without a prefix). */
        String metric(String key) {
            return metricPrefix == null || metricPrefix.isEmpty() ? key : metricPrefix + "." + key;
        }

        /** A report of this channel: its data_id and token, and the items {@code data} writes into its data array. */
        String report(JsonWriting data) {
            return json(g -> {
                g.writeStartObject();
                g.writeNumberField("data_id", dataId);
                g.writeStringField("access_token", token);
                g.writeArrayFieldStart("data");
                data.write(g);
                g.writeEndArray();
                g.writeEndObject();
            });
        }
    }

    /**
     * A series as OpenTSDB stores it ({@code metric}, {@code tags}), plus what its format needs to write it
     * ({@code attributes}, e.g. the TBDS appid, metricname and hostname).
     */
    public record SeriesSpec(String metric, Map<String, String> tags, Kind kind, boolean millis, int millisOffset,
            Map<String, String> attributes) {}

    /** One datapoint: its series, timestamp (s or ms, as sent) and value (an exact decimal). */
    public record Point(SeriesSpec series, long timestamp, BigDecimal value) {

        public String metric() {
            return series.metric();
        }

        public Map<String, String> tags() {
            return series.tags();
        }

        /** The timestamp in milliseconds (OpenTSDB's {@code ms=true} query answer). */
        public long timestampMillis() {
            // OpenTSDB's rule: milliseconds from 2^32 on (wall-clock stamps are milliseconds in every format)
            return timestamp >= 1L << 32 ? timestamp : timestamp * 1000;
        }

        /** The point as {@code /api/put} JSON: {@code {"metric","timestamp","value","tags"}} (tags sorted). */
        public String toJson() {
            return json(g -> {
                g.writeStartObject();
                g.writeStringField("metric", metric());
                g.writeNumberField("timestamp", timestamp);
                g.writeFieldName("value");
                g.writeNumber(value);
                g.writeObjectFieldStart("tags");
                for (Map.Entry<String, String> t : new TreeMap<>(tags()).entrySet()) {
                    g.writeStringField(t.getKey(), t.getValue());
                }
                g.writeEndObject();
                g.writeEndObject();
            });
        }
    }

    /** A report as sent: its format, JSON text and datapoints. */
    public record Report(long index, String format, String json, List<Point> points) {}

    /**
     * What to generate; {@code channel}: the BlueKing channel of the {@code blueking} or {@code blueking-events}
     * reports (null: the format's built-in one).
     */
    public record Options(List<String> formats, int series, int pointsPerReport, long seed, long startEpochSeconds,
            int intervalSeconds, BlueKingChannel channel) {

        public Options(List<String> formats, int series, int pointsPerReport, long seed, long startEpochSeconds,
                int intervalSeconds) {
            this(formats, series, pointsPerReport, seed, startEpochSeconds, intervalSeconds, null);
        }

        public Options {
            if (channel != null && formats.contains("blueking") && formats.contains("blueking-events")) {
                throw new IllegalArgumentException("a channel is of one kind: --data-id/--token with one of blueking, "
                        + "blueking-events");
            }
            if (series < formats.size()) {
                throw new IllegalArgumentException("--series must be at least " + formats.size() + " (one per format)");
            }
            if (pointsPerReport < 1) {
                throw new IllegalArgumentException("--points-per-report must be at least 1");
            }
            if (formats.contains("mapping") && pointsPerReport != 1) {
                throw new IllegalArgumentException("--format mapping writes one datapoint per record: use --points-per-report 1");
            }
            if (intervalSeconds < 1) {
                throw new IllegalArgumentException("--interval must be at least 1 second");
            }
            if (startEpochSeconds < 1 || startEpochSeconds > 9_999_999_999L) {
                throw new IllegalArgumentException("--start-epoch must be epoch seconds, got " + startEpochSeconds);
            }
        }
    }

    /** The deterministic report stream of {@code options} (see the class comment). */
    public static Plan plan(Options options) {
        return new Plan(options);
    }

    /** An endless, deterministic iterator over the reports. Not thread-safe. */
    public static final class Plan {
        private final List<Shape> shapes = new ArrayList<>();
        private final List<List<SeriesSpec>> seriesByShape = new ArrayList<>();
        private final long[] cursor; // per shape: points taken so far
        private final Options options;
        private long next;
        /** With {@code --timestamps wall-clock}: the clock, and per series number its last stamp. */
        private java.util.function.LongSupplier clock;
        private long[] lastStamp;

        Plan(Options options) {
            this.options = options;
            for (String name : options.formats()) {
                shapes.add(shape(name, options.channel()));
                seriesByShape.add(new ArrayList<>());
            }
            // series s belongs to format s mod formats
            for (int s = 0; s < options.series(); s++) {
                int f = s % shapes.size();
                List<SeriesSpec> list = seriesByShape.get(f);
                list.add(shapes.get(f).series(list.size(), options.seed()));
            }
            cursor = new long[shapes.size()];
        }

        /** Stamps every point from now on with {@code clock} (ms), past its series' previous point (latency runs). */
        public Plan stampWith(java.util.function.LongSupplier clock) {
            this.clock = clock;
            this.lastStamp = new long[options.series()];
            return this;
        }

        /** Every series of the stream. */
        public List<SeriesSpec> series() {
            List<SeriesSpec> all = new ArrayList<>();
            seriesByShape.forEach(all::addAll);
            return all;
        }

        /** Skips {@code count} reports (cheap: nothing is rendered). */
        public void skip(long count) {
            for (long i = 0; i < count; i++) {
                cursor[(int) (next % shapes.size())] += options.pointsPerReport();
                next++;
            }
        }

        public Report next() {
            int f = (int) (next % shapes.size());
            List<SeriesSpec> series = seriesByShape.get(f);
            List<Point> points = new ArrayList<>(options.pointsPerReport());
            for (int i = 0; i < options.pointsPerReport(); i++) {
                long n = cursor[f]++;
                long round = n / series.size();
                int s = (int) (n % series.size());
                points.add(point(series.get(s), s * shapes.size() + f, round));
            }
            Report report = new Report(next, shapes.get(f).name(), shapes.get(f).report(points), points);
            next++;
            return report;
        }

        private Point point(SeriesSpec spec, int seriesNumber, long round) {
            long seconds = options.startEpochSeconds() + round * options.intervalSeconds();
            long timestamp = spec.millis() ? seconds * 1000 + spec.millisOffset() : seconds;
            if (clock != null) {
                timestamp = Math.max(clock.getAsLong(), lastStamp[seriesNumber] + 1);
                lastStamp[seriesNumber] = timestamp;
            }
            long h = mix(options.seed(), seriesNumber, round);
            BigDecimal value;
            switch (spec.kind()) {
                case COUNTER:
                    long base = Math.floorMod(mix(options.seed(), seriesNumber, -1), 500_000_000_000L);
                    value = BigDecimal.valueOf(base + round * 1000 + Math.floorMod(h, 1000));
                    break;
                case GAUGE_INT:
                    value = BigDecimal.valueOf(1_000_000_000L + Math.floorMod(h, 8_000_000_000L));
                    break;
                case PERCENT:
                    value = BigDecimal.valueOf(Math.floorMod(h, 400)).multiply(new BigDecimal("0.25")).setScale(2);
                    break;
                case EVENT:
                    value = BigDecimal.ONE;
                    break;
                default:
                    value = BigDecimal.valueOf(Math.floorMod(h, 512)).multiply(new BigDecimal("0.125")).setScale(3);
            }
            return new Point(spec, timestamp, value);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // formats

    /** TBDS reports: {"metrics":[{appid, hostname, metricname, metrics:{ts:value}, tags}]}, values as strings. */
    static final class TbdsShape implements Shape {
        private static final String[][] TEMPLATES = {
            // appid, metricname, kind, tag key/value pairs...
            {"mking", "network", "COUNTER", "instance_id", "eth0", "type", "bytes_sent"},
            {"mking", "network", "COUNTER", "instance_id", "eth0", "type", "bytes_recv"},
            {"mking", "network", "COUNTER", "instance_id", "lo", "type", "bytes_sent"},
            {"hdfs", "disk", "COUNTER", "device", "sda", "type", "read_bytes"},
            {"hdfs", "disk", "COUNTER", "device", "sda", "type", "write_bytes"},
            {"yarn", "memory", "GAUGE_INT", "type", "used"},
            {"yarn", "cpu", "PERCENT", "core", "all", "type", "user"},
        };

        @Override
        public String name() {
            return "tbds";
        }

        @Override
        public SeriesSpec series(int index, long seed) {
            String[] t = TEMPLATES[index % TEMPLATES.length];
            int host = index / TEMPLATES.length;
            String hostname = "tbds-172-16-" + (host / 250) + "-" + (host % 250 + 1);
            Map<String, String> tags = new TreeMap<>();
            for (int i = 3; i + 1 < t.length; i += 2) {
                tags.put(t[i], t[i + 1]);
            }
            Map<String, String> itemTags = new LinkedHashMap<>(tags);
            tags.put("hostname", hostname);
            Map<String, String> attributes = new LinkedHashMap<>();
            attributes.put("appid", t[0]);
            attributes.put("metricname", t[1]);
            attributes.put("hostname", hostname);
            itemTags.forEach((k, v) -> attributes.put("tag." + k, v));
            int millisOffset = (int) Math.floorMod(mix(seed, index, -2), 1000);
            return new SeriesSpec(t[0] + "." + t[1], Collections.unmodifiableMap(tags), Kind.valueOf(t[2]), true,
                    millisOffset, Collections.unmodifiableMap(attributes));
        }

        @Override
        public String report(List<Point> points) {
            // one item per series, its points as the inner "metrics" map (timestamp -> value, both strings)
            Map<SeriesSpec, List<Point>> items = new LinkedHashMap<>();
            for (Point p : points) {
                items.computeIfAbsent(p.series(), k -> new ArrayList<>()).add(p);
            }
            return json(g -> {
                g.writeStartObject();
                g.writeArrayFieldStart("metrics");
                for (Map.Entry<SeriesSpec, List<Point>> item : items.entrySet()) {
                    Map<String, String> a = item.getKey().attributes();
                    g.writeStartObject();
                    g.writeStringField("appid", a.get("appid"));
                    g.writeStringField("hostname", a.get("hostname"));
                    g.writeStringField("metricname", a.get("metricname"));
                    g.writeObjectFieldStart("metrics");
                    for (Point p : item.getValue()) {
                        g.writeStringField(Long.toString(p.timestamp()), p.value().toPlainString());
                    }
                    g.writeEndObject();
                    writePrefixed(g, "tags", a, "tag.");
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            });
        }
    }

    /** OpenTSDB put JSON: an array of {metric, timestamp (s), value (number), tags} (one object if one point). */
    static final class OpenTsdbShape implements Shape {
        private static final String[][] TEMPLATES = {
            // metric, kind, tag key/value pairs (plus host)...
            {"sys.cpu.user", "PERCENT", "cpu", "0"},
            {"sys.cpu.system", "PERCENT", "cpu", "0"},
            {"sys.mem.used", "GAUGE_INT"},
            {"sys.disk.used_pct", "PERCENT", "mount", "/data"},
            {"proc.loadavg.1m", "LOAD"},
            {"net.tcp.established", "GAUGE_INT", "service", "api"},
        };

        @Override
        public String name() {
            return "opentsdb";
        }

        @Override
        public SeriesSpec series(int index, long seed) {
            String[] t = TEMPLATES[index % TEMPLATES.length];
            int host = index / TEMPLATES.length;
            Map<String, String> tags = new TreeMap<>();
            tags.put("host", String.format(Locale.ROOT, "web%03d", host + 1));
            tags.put("dc", host % 2 == 0 ? "dc1" : "dc2");
            for (int i = 2; i + 1 < t.length; i += 2) {
                tags.put(t[i], t[i + 1]);
            }
            return new SeriesSpec(t[0], Collections.unmodifiableMap(tags), Kind.valueOf(t[1]), false, 0, Map.of());
        }

        @Override
        public String report(List<Point> points) {
            if (points.size() == 1) {
                return points.get(0).toJson();
            }
            StringBuilder sb = new StringBuilder(points.size() * 100).append('[');
            for (int i = 0; i < points.size(); i++) {
                sb.append(i == 0 ? "" : ",").append(points.get(i).toJson());
            }
            return sb.append(']').toString();
        }
    }

    /**
     * BlueKing custom time series of one channel: one item per target and instant, its metrics (JSON numbers, one per
     * series of the target) in the item's {@code metrics} map, timestamps in milliseconds.
     */
    static final class BlueKingShape implements Shape {
        static final long DATA_ID = 1500001;
        static final String TOKEN = "loadgen-0123456789abcdef";
        static final String PREFIX = "bk.loadgen";
        private final BlueKingChannel channel;

        BlueKingShape() {
            this(new BlueKingChannel(DATA_ID, TOKEN, PREFIX));
        }

        BlueKingShape(BlueKingChannel channel) {
            this.channel = channel;
        }
        private static final String[][] TEMPLATES = {
            // metric key, kind
            {"cpu_load", "PERCENT"}, {"mem_used", "GAUGE_INT"}, {"disk_used_pct", "PERCENT"},
            {"net_bytes_in", "COUNTER"}, {"net_bytes_out", "COUNTER"},
        };

        @Override
        public String name() {
            return "blueking";
        }

        @Override
        public SeriesSpec series(int index, long seed) {
            String[] t = TEMPLATES[index % TEMPLATES.length];
            int host = index / TEMPLATES.length;
            String target = "10.2." + (host / 250) + "." + (host % 250 + 1);
            Map<String, String> dimensions = new TreeMap<>();
            dimensions.put("module", host % 3 == 0 ? "db" : "web");
            dimensions.put("location", host % 2 == 0 ? "guangdong" : "shanghai");
            Map<String, String> tags = new TreeMap<>(dimensions);
            tags.put("target", target);
            Map<String, String> attributes = new LinkedHashMap<>();
            attributes.put("key", t[0]);
            attributes.put("target", target);
            dimensions.forEach((k, v) -> attributes.put("dimension." + k, v));
            // one offset per target: the metrics of a target share their items' timestamps
            int millisOffset = (int) Math.floorMod(mix(seed, host, -3), 1000);
            return new SeriesSpec(channel.metric(t[0]), Collections.unmodifiableMap(tags), Kind.valueOf(t[1]), true,
                    millisOffset, Collections.unmodifiableMap(attributes));
        }

        @Override
        public String report(List<Point> points) {
            // consecutive points of one target and instant make one item
            List<List<Point>> items = new ArrayList<>();
            for (Point p : points) {
                List<Point> last = items.isEmpty() ? null : items.get(items.size() - 1);
                if (last != null && last.get(0).timestamp() == p.timestamp()
                        && last.get(0).series().attributes().get("target").equals(p.series().attributes().get("target"))
                        && last.stream().noneMatch(q -> q.series() == p.series())) {
                    last.add(p);
                } else {
                    items.add(new ArrayList<>(List.of(p)));
                }
            }
            return channel.report(g -> {
                for (List<Point> item : items) {
                    Map<String, String> a = item.get(0).series().attributes();
                    g.writeStartObject();
                    g.writeObjectFieldStart("metrics");
                    for (Point p : item) {
                        g.writeFieldName(p.series().attributes().get("key"));
                        g.writeNumber(p.value());
                    }
                    g.writeEndObject();
                    g.writeStringField("target", a.get("target"));
                    writePrefixed(g, "dimension", a, "dimension.");
                    g.writeNumberField("timestamp", item.get(0).timestamp());
                    g.writeEndObject();
                }
            });
        }
    }

    /**
     * BlueKing custom events of one channel (kind {@code events}): one item per point, each point one event counted
     * (value 1) in its count series {@code <prefix>.events{event_name, event_type, target}}; timestamps in milliseconds.
     * A series without an event type has none in its dimensions (the job counts it as {@code event_type=none}).
     */
    static final class BlueKingEventShape implements Shape {
        static final long DATA_ID = 1500002;
        static final String TOKEN = "loadgen-events-0123456789abcdef";
        private static final String[][] TEMPLATES = {
            // event_name, event_type ("" = none given), content (%s: the target)
            {"login_failed", "abnormal", "user admin login failed on %s"},
            {"disk_full", "abnormal", "disk /data is full on %s"},
            {"process_restarted", "recovery", "process agent restarted on %s"},
            {"config_changed", "", "configuration reloaded on %s"},
        };
        private final BlueKingChannel channel;

        BlueKingEventShape() {
            this(new BlueKingChannel(DATA_ID, TOKEN, BlueKingShape.PREFIX));
        }

        BlueKingEventShape(BlueKingChannel channel) {
            this.channel = channel;
        }

        @Override
        public String name() {
            return "blueking-events";
        }

        @Override
        public SeriesSpec series(int index, long seed) {
            String[] t = TEMPLATES[index % TEMPLATES.length];
            int host = index / TEMPLATES.length;
            String target = "10.4." + (host / 250) + "." + (host % 250 + 1);
            Map<String, String> tags = new TreeMap<>();
            tags.put("event_name", t[0]);
            tags.put("event_type", t[1].isEmpty() ? "none" : t[1]);
            tags.put("target", target);
            Map<String, String> attributes = new LinkedHashMap<>();
            attributes.put("event_name", t[0]);
            attributes.put("content", String.format(Locale.ROOT, t[2], target));
            attributes.put("target", target);
            attributes.put("dimension.module", host % 3 == 0 ? "db" : "web");
            if (!t[1].isEmpty()) {
                attributes.put("dimension.event_type", t[1]);
            }
            int millisOffset = (int) Math.floorMod(mix(seed, index, -5), 1000);
            return new SeriesSpec(channel.metric("events"), Collections.unmodifiableMap(tags), Kind.EVENT, true,
                    millisOffset, Collections.unmodifiableMap(attributes));
        }

        @Override
        public String report(List<Point> points) {
            return channel.report(g -> {
                for (Point p : points) {
                    Map<String, String> a = p.series().attributes();
                    g.writeStartObject();
                    g.writeStringField("event_name", a.get("event_name"));
                    g.writeObjectFieldStart("event");
                    g.writeStringField("content", a.get("content"));
                    g.writeEndObject();
                    g.writeStringField("target", a.get("target"));
                    writePrefixed(g, "dimension", a, "dimension.");
                    g.writeNumberField("timestamp", p.timestamp());
                    g.writeEndObject();
                }
            });
        }
    }

    /**
     * The seed's Flume JsonFrame interceptor records, as the shipped {@code seed} mapping reads them
     * ({@code appIds}, {@code ip}, {@code timestamp}, {@code value}, tags {@code instance_id} and {@code type}; the
     * metric is {@code <appIds>.network}): one datapoint per record, timestamps in milliseconds.
     */
    static final class MappingShape implements Shape {
        private static final String[][] TEMPLATES = {
            // appIds, instance_id, type
            {"mking", "eth0", "bytes_sent"}, {"mking", "eth0", "bytes_recv"}, {"mking", "lo", "bytes_sent"},
            {"hdfs", "eth0", "bytes_sent"}, {"yarn", "eth0", "bytes_recv"},
        };

        @Override
        public String name() {
            return "mapping";
        }

        @Override
        public SeriesSpec series(int index, long seed) {
            String[] t = TEMPLATES[index % TEMPLATES.length];
            int host = index / TEMPLATES.length;
            String ip = "10.3." + (host / 250) + "." + (host % 250 + 1);
            Map<String, String> tags = new TreeMap<>();
            tags.put("hostname", ip);
            tags.put("instance_id", t[1]);
            tags.put("type", t[2]);
            Map<String, String> attributes = new LinkedHashMap<>();
            attributes.put("appIds", t[0]);
            attributes.put("ip", ip);
            int millisOffset = (int) Math.floorMod(mix(seed, index, -4), 1000);
            return new SeriesSpec(t[0] + ".network", Collections.unmodifiableMap(tags), Kind.COUNTER, true,
                    millisOffset, Collections.unmodifiableMap(attributes));
        }

        @Override
        public String report(List<Point> points) {
            if (points.size() != 1) {
                throw new IllegalArgumentException("--format mapping writes one datapoint per record: use --points-per-report 1");
            }
            Point p = points.get(0);
            Map<String, String> a = p.series().attributes();
            return json(g -> {
                g.writeStartObject();
                g.writeStringField("appIds", a.get("appIds"));
                g.writeStringField("ip", a.get("ip"));
                g.writeNumberField("timestamp", p.timestamp());
                g.writeFieldName("value");
                g.writeNumber(p.value());
                g.writeStringField("instance_id", p.tags().get("instance_id"));
                g.writeStringField("type", p.tags().get("type"));
                g.writeEndObject();
            });
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // command line

    private static final String USAGE = String.join("\n",
            "Usage: loadgen.sh [OPTIONS]",
            "",
            "Sends deterministic TBDS, OpenTSDB JSON, BlueKing or seed-mapping reports to a Kafka topic (one report per record),",
            "or with --http through the report gateway, as applications do.",
            "",
            "  --bootstrap-servers H:P   Kafka (default 127.0.0.1:9092)",
            "  --topic NAME              topic (default reports)",
            "  --format F                mixed (default: alternates tbds and opentsdb), tbds, opentsdb, blueking (time series),",
            "                            blueking-events, mapping (one datapoint per record: --points-per-report 1), or a",
            "                            list tbds,opentsdb",
            "  --data-id N --token T     the BlueKing channel of blueking or blueking-events (default the built-in one:",
            "                            " + BlueKingShape.DATA_ID + " / " + BlueKingShape.TOKEN + " for time series, "
                    + BlueKingEventShape.DATA_ID + " / " + BlueKingEventShape.TOKEN,
            "                            for events); --metric-prefix P: the channel's prefix, for --expected (default "
                    + BlueKingShape.PREFIX + ")",
            "  --rate R                  reports per second (default 100; 0 = as fast as possible)",
            "  --count N                 stop after N reports (default: run until --duration or Ctrl-C)",
            "  --duration S              stop after S seconds",
            "  --series N                distinct series (default 100; split between the formats)",
            "  --points-per-report N     datapoints per report (default 10)",
            "  --seed N                  the stream's seed (default 1): same options, same reports",
            "  --start-epoch SEC         timestamp of each series' first point (default: now, rounded to the interval)",
            "  --interval SEC            seconds between a series' points (default 10)",
            "  --skip N                  start with report N of the stream (continue an earlier --count N run)",
            "  --timestamps T            stream (default: from --start-epoch) or wall-clock (each point stamped in ms",
            "                            when generated, for latency runs)",
            "  --expected FILE           write each datapoint sent as /api/put JSON, one per line (as OpenTSDB will hold it)",
            "  --print                   write the reports to stdout instead of Kafka (no broker needed)",
            "  --producer-property K=V   any Kafka producer property (repeatable)",
            "  --http URL                POST the reports to URL instead of Kafka: the report as the body for /v2/push/",
            "                            (BlueKing) and /api/put (OpenTSDB JSON), else in a Flume JSON envelope (the",
            "                            gateway's Flume port), e.g. http://127.0.0.1:10205/v2/push/, http://127.0.0.1:7777",
            "  --http-body B             report or flume: overrides what the URL's path implies",
            "  --connections N           concurrent HTTP clients (default 4); --rate is their total",
            "  --flume-batch N           reports per Flume envelope (default 1)",
            "  --max-retries N           retries of a request answered 429 or 503 (after its Retry-After) or not at all",
            "                            (default 20); a report still refused ends the run with exit code 1",
            "  --quiet                   no progress line (stderr), only the summary",
            "",
            "Report k depends only on the stream options and k. Timestamps move forward by --interval per round of",
            "--series points; keep --start-epoch + rounds * interval within the job's validation.max-future.");

    public static void main(String[] args) throws Exception {
        String bootstrap = "127.0.0.1:9092";
        String topic = "reports";
        String format = "mixed";
        double rate = 100;
        long count = -1;
        double duration = -1;
        int series = 100;
        int pointsPerReport = 10;
        long seed = 1;
        int interval = 10;
        long start = -1;
        long skip = 0;
        Path expected = null;
        boolean print = false;
        boolean quiet = false;
        boolean wallClock = false;
        Properties producerProps = new Properties();
        long dataId = -1;
        String token = null;
        String metricPrefix = BlueKingShape.PREFIX;
        String http = null;
        String httpBody = null;
        int connections = 4;
        int flumeBatch = 1;
        int maxRetries = 20;
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                String v = null;
                if (a.startsWith("--") && a.contains("=") && !a.startsWith("--producer-property=")) {
                    v = a.substring(a.indexOf('=') + 1);
                    a = a.substring(0, a.indexOf('='));
                }
                switch (a) {
                    case "-h":
                    case "--help":
                        System.out.println(USAGE);
                        return;
                    case "--print":
                        print = true;
                        continue;
                    case "--quiet":
                        quiet = true;
                        continue;
                    default:
                        break;
                }
                if (a.startsWith("--producer-property=")) {
                    v = a.substring("--producer-property=".length());
                    a = "--producer-property";
                }
                if (v == null) {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException(a + " needs a value");
                    }
                    v = args[++i];
                }
                switch (a) {
                    case "--bootstrap-servers": bootstrap = v; break;
                    case "--topic": topic = v; break;
                    case "--format": format = v; break;
                    case "--rate": rate = Double.parseDouble(v); break;
                    case "--count": count = Long.parseLong(v); break;
                    case "--duration": duration = Double.parseDouble(v); break;
                    case "--series": series = Integer.parseInt(v); break;
                    case "--points-per-report": pointsPerReport = Integer.parseInt(v); break;
                    case "--seed": seed = Long.parseLong(v); break;
                    case "--start-epoch": start = Long.parseLong(v); break;
                    case "--interval": interval = Integer.parseInt(v); break;
                    case "--skip": skip = Long.parseLong(v); break;
                    case "--expected": expected = Path.of(v); break;
                    case "--data-id": dataId = Long.parseLong(v); break;
                    case "--token": token = v; break;
                    case "--metric-prefix": metricPrefix = v; break;
                    case "--http": http = v; break;
                    case "--http-body": httpBody = v; break;
                    case "--connections": connections = Integer.parseInt(v); break;
                    case "--flume-batch": flumeBatch = Integer.parseInt(v); break;
                    case "--max-retries": maxRetries = Integer.parseInt(v); break;
                    case "--timestamps":
                        if (!v.equals("stream") && !v.equals("wall-clock")) {
                            throw new IllegalArgumentException("--timestamps must be stream or wall-clock, got " + v);
                        }
                        wallClock = v.equals("wall-clock");
                        break;
                    case "--producer-property":
                        int eq = v.indexOf('=');
                        if (eq <= 0) {
                            throw new IllegalArgumentException("--producer-property needs KEY=VALUE, got " + v);
                        }
                        producerProps.setProperty(v.substring(0, eq), v.substring(eq + 1));
                        break;
                    default:
                        throw new IllegalArgumentException("unknown option " + a);
                }
            }
            if (rate < 0) {
                throw new IllegalArgumentException("--rate must be >= 0");
            }
            if (start < 0) {
                long now = System.currentTimeMillis() / 1000;
                start = now - now % interval;
            }
        } catch (IllegalArgumentException e) {
            System.err.println("loadgen: " + e.getMessage() + "\n\n" + USAGE);
            System.exit(2);
            return;
        }
        List<String> formats = format.equals("mixed") ? MIXED : List.of(format.split("\\s*[,;]\\s*"));
        Plan plan;
        HttpReportSender.Settings httpSettings = null;
        try {
            BlueKingChannel channel = null;
            if (dataId >= 0 || token != null || !metricPrefix.equals(BlueKingShape.PREFIX)) {
                boolean events = formats.contains("blueking-events");
                channel = new BlueKingChannel(
                        dataId >= 0 ? dataId : events ? BlueKingEventShape.DATA_ID : BlueKingShape.DATA_ID,
                        token != null ? token : events ? BlueKingEventShape.TOKEN : BlueKingShape.TOKEN, metricPrefix);
            }
            plan = plan(new Options(formats, series, pointsPerReport, seed, start, interval, channel));
            if (http != null) {
                URI url = URI.create(http);
                if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
                    throw new IllegalArgumentException("--http needs an http:// URL, got " + http);
                }
                HttpReportSender.Body body = httpBody == null ? HttpReportSender.Body.forUrl(url)
                        : HttpReportSender.Body.valueOf(httpBody.toUpperCase(Locale.ROOT));
                httpSettings = new HttpReportSender.Settings(url, body, connections, flumeBatch, maxRetries,
                        java.time.Duration.ofSeconds(30));
            }
        } catch (IllegalArgumentException e) {
            System.err.println("loadgen: " + e.getMessage());
            System.exit(2);
            return;
        }
        plan.skip(skip);
        if (wallClock) {
            plan.stampWith(System::currentTimeMillis);
        }
        if (httpSettings != null && !print) {
            System.exit(HttpReportSender.run(httpSettings, plan, rate, count, duration, expected, quiet, System.err));
            return;
        }
        int rc = run(plan, print ? null : producer(bootstrap, producerProps), topic, rate, count, duration, expected,
                quiet, System.out, System.err);
        System.exit(rc);
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap, Properties extra) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "60000");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "tsdbpipe-loadgen");
        p.putAll(extra);
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Sends (or prints, without a producer) reports until count/duration; returns the exit code. */
    static int run(Plan plan, KafkaProducer<byte[], byte[]> producer, String topic, double rate, long count,
            double duration, Path expected, boolean quiet, PrintStream out, PrintStream err) throws IOException {
        long startNanos = System.nanoTime();
        long deadline = duration > 0 ? startNanos + (long) (duration * 1e9) : Long.MAX_VALUE;
        long nanosPerReport = rate > 0 ? (long) (1e9 / rate) : 0;
        AtomicLong acked = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicReference<Exception> firstError = new AtomicReference<>();
        long sent = 0;
        long points = 0;
        long lastProgress = startNanos;
        boolean interactive = System.console() != null;
        long progressEvery = TimeUnit.SECONDS.toNanos(interactive ? 1 : 5);
        Thread hook = null;
        Writer expectedOut = expected == null ? null : Files.newBufferedWriter(expected, StandardCharsets.UTF_8);
        try {
            if (producer != null) {
                // Ctrl-C: flush what was sent so far before the JVM exits
                KafkaProducer<byte[], byte[]> p = producer;
                hook = new Thread(() -> p.close(java.time.Duration.ofSeconds(10)), "loadgen-shutdown");
                Runtime.getRuntime().addShutdownHook(hook);
            }
            while ((count < 0 || sent < count) && System.nanoTime() < deadline && failed.get() == 0) {
                if (nanosPerReport > 0) {
                    long due = startNanos + sent * nanosPerReport;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                }
                Report report = plan.next();
                if (producer == null) {
                    out.println(report.json());
                    acked.incrementAndGet();
                } else {
                    producer.send(new ProducerRecord<>(topic, report.json().getBytes(StandardCharsets.UTF_8)),
                            (metadata, exception) -> {
                                if (exception == null) {
                                    acked.incrementAndGet();
                                } else {
                                    failed.incrementAndGet();
                                    firstError.compareAndSet(null, exception);
                                }
                            });
                }
                if (expectedOut != null) {
                    for (Point p : report.points()) {
                        expectedOut.write(p.toJson());
                        expectedOut.write('\n');
                    }
                }
                sent++;
                points += report.points().size();
                long now = System.nanoTime();
                if (!quiet && now - lastProgress >= progressEvery) {
                    lastProgress = now;
                    err.print(progress(sent, points, acked.get(), failed.get(), now - startNanos)
                            + (interactive ? "\r" : "\n"));
                    err.flush();
                }
            }
            if (producer != null) {
                producer.flush();
            }
        } finally {
            if (expectedOut != null) {
                expectedOut.close();
            }
            if (producer != null) {
                producer.close(java.time.Duration.ofSeconds(30));
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException ignored) {
                    // shutting down already
                }
            }
            out.flush();
        }
        err.println(progress(sent, points, acked.get(), failed.get(), System.nanoTime() - startNanos)
                + (producer == null ? " (printed)" : " to topic " + topic) + ", done");
        if (failed.get() > 0) {
            err.println("loadgen: " + failed.get() + " reports were not acknowledged by Kafka: " + firstError.get());
            return 1;
        }
        return 0;
    }

    private static String progress(long sent, long points, long acked, long failed, long elapsedNanos) {
        double seconds = Math.max(elapsedNanos / 1e9, 1e-3);
        return String.format(Locale.ROOT, "loadgen: %d reports (%d datapoints) sent, %d acked, %d failed, %.1f s, %.1f reports/s",
                sent, points, acked, failed, seconds, sent / seconds);
    }

    // ------------------------------------------------------------------------------------------------------------
    // helpers

    private static final JsonFactory JSON = new JsonFactory();

    private interface JsonWriting {
        void write(JsonGenerator g) throws IOException;
    }

    private static String json(JsonWriting writing) {
        StringWriter w = new StringWriter(256);
        try (JsonGenerator g = JSON.createGenerator(w)) {
            writing.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    /** The attributes named {@code prefix}... as the object {@code field}, without the prefix. */
    private static void writePrefixed(JsonGenerator g, String field, Map<String, String> attributes, String prefix)
            throws IOException {
        g.writeObjectFieldStart(field);
        for (Map.Entry<String, String> e : attributes.entrySet()) {
            if (e.getKey().startsWith(prefix)) {
                g.writeStringField(e.getKey().substring(prefix.length()), e.getValue());
            }
        }
        g.writeEndObject();
    }

    /** SplitMix64 of the three inputs: a well-spread, platform-independent hash. */
    static long mix(long seed, long a, long b) {
        long z = seed * 0x9E3779B97F4A7C15L + a * 0xBF58476D1CE4E5B9L + b * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private LoadGenerator() {}
}
