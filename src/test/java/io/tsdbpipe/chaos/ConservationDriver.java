package io.tsdbpipe.chaos;

import io.tsdbpipe.testing.Await;
import io.tsdbpipe.testing.RealOpenTsdb;
import io.tsdbpipe.testing.TestJobConfig;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Conservation accounting for the real job: generates identifiable reports of every format, remembers what each must
 * become, and checks OpenTSDB and the dead-letter topic against it.
 *
 * <p>Each batch ({@link #produceBatch}) holds, spread over {@link #PARTITIONS} partitions so that the points of a series
 * arrive out of order: TBDS reports, OpenTSDB put JSON, BlueKing time series of a channel with a token, records of the
 * seed's mapping; valid, partly valid and invalid items; timestamps in seconds and milliseconds; exact duplicates
 * (also in the other precision) and conflicting duplicates (a later value for a remembered instant, also in the other
 * precision, in the same partition as the first so that "first" is defined); points only OpenTSDB refuses (more tags
 * than its {@code tsd.storage.max_tags}); and reports that carry tokens in every spelling the decoder must mask.
 * A batch is self-contained: no conflict spans two batches, so a job started without state between batches has
 * nothing to remember.
 *
 * <p>{@link #check} reads back every expected series of this run (its metrics are unique to the run) through
 * {@code /api/query}, and the whole dead-letter topic, and counts what was written, dead-lettered, lost, corrupted,
 * unexplained, duplicated and leaked.
 */
final class ConservationDriver {

    static final int PARTITIONS = 4;
    /** The job lets 10 tags through; the TSD (default {@code tsd.storage.max_tags}) refuses more than 8. */
    static final int JOB_MAX_TAGS = 10;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long SERIES_CHANNEL = 1_700_001L;
    private static final String ANY_REASON = "*";

    final String scenario;
    final String run;
    final String topic;
    final String deadLetterTopic;
    private final String channelToken;
    private final List<String> tokens = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final long baseSeconds;
    private final Supplier<String> bootstrap;
    private final Supplier<String> deadLetterBootstrap;

    private final Map<SeriesKey, SortedMap<Long, BigDecimal>> expected = new LinkedHashMap<>();
    private final Map<RejectKey, Integer> expectedRejects = new LinkedHashMap<>();
    private int inputs;

    /** @param bootstrap the broker of the report and dead-letter topics (asked again on every use: it may move) */
    ConservationDriver(String scenario, Supplier<String> bootstrap) {
        this(scenario, bootstrap, bootstrap);
    }

    /** With the dead-letter topic on another broker. */
    ConservationDriver(String scenario, Supplier<String> bootstrap, Supplier<String> deadLetterBootstrap) {
        this.scenario = scenario;
        this.bootstrap = bootstrap;
        this.deadLetterBootstrap = deadLetterBootstrap;
        this.run = "c" + Long.toHexString(System.nanoTime() & 0xffffffL);
        this.topic = "chaos-" + run;
        this.deadLetterTopic = "chaos-" + run + "-dead-letter";
        this.channelToken = hexToken(new Random(run.hashCode()), '9');
        tokens.add(channelToken);
        // two days ago, on a minute: far from the other tests' timestamps, inside every window
        this.baseSeconds = (System.currentTimeMillis() / 1000 - 2 * 86_400) / 60 * 60;
    }

    /** Creates the topics ({@link #PARTITIONS} partitions of reports, one of dead letters). */
    ConservationDriver createTopics() {
        createTopic(bootstrap.get(), topic, PARTITIONS);
        createTopic(deadLetterBootstrap.get(), deadLetterTopic, 1);
        return this;
    }

    /** The job's configuration for this run: its topics, channel, mapping and the test's fast timings. */
    Map<String, String> jobConfig(String tsdbEndpoints) {
        Map<String, String> conf = new HashMap<>();
        conf.put("job.name", "chaos-" + scenario);
        conf.put("source.bootstrap-servers", bootstrap.get());
        conf.put("source.topics", topic);
        conf.put("source.group-id", topic);
        conf.put("source.start", "committed");
        conf.put("dead-letter.topic", deadLetterTopic);
        conf.put("dead-letter.bootstrap-servers", deadLetterBootstrap.get());
        conf.put("sink.opentsdb.endpoints", tsdbEndpoints);
        conf.put("sink.opentsdb.max-batch-bytes", "64 kb"); // the scripts' TSD takes chunked requests
        conf.put("sink.opentsdb.max-batch-points", "100");
        conf.put("sink.opentsdb.retry.initial-backoff", "50 ms");
        conf.put("sink.opentsdb.retry.max-backoff", "1 s");
        conf.put("sink.opentsdb.request-timeout", "3 s");
        conf.put("sink.opentsdb.endpoint-cooldown", "500 ms");
        conf.put("checkpoint.interval", "1 s");
        conf.put("checkpoint.timeout", "30 s");
        conf.put("restart.initial-backoff", "200 ms");
        conf.put("restart.max-backoff", "2 s");
        conf.put("parallelism.source", "2");
        conf.put("parallelism.decode", "2");
        conf.put("parallelism.series", "2");
        conf.put("parallelism.sink", "2");
        conf.put("parallelism.dead-letter", "1");
        conf.put("parallelism.events", "1");
        conf.put("validation.max-tags", String.valueOf(JOB_MAX_TAGS));
        conf.put("channels.topic", "");
        conf.put("channels.static." + SERIES_CHANNEL + ".name", "chaos-series");
        conf.put("channels.static." + SERIES_CHANNEL + ".token", channelToken);
        conf.put("channels.static." + SERIES_CHANNEL + ".metric-prefix", "chaos." + run + ".bk");
        conf.put("channels.static." + SERIES_CHANNEL + ".tags.tenant", "chaos");
        conf.put("events.topic", "");
        conf.put("events.idle-timeout", "10 min");
        TestJobConfig.seedMapping(conf);
        return conf;
    }

    /** Every token a report of this run carried (none may appear in a dead letter or a log line); a live view. */
    List<String> tokens() {
        return Collections.unmodifiableList(tokens);
    }

    int inputs() {
        return inputs;
    }

    // ------------------------------------------------------------------------------------------------------------
    // generation

    /** A record to produce: its partition, bytes, optional timestamp, and the refusals it must cause. */
    private record Pending(int partition, byte[] value, Long timestamp, List<String> rejects) {}

    /** Produces batch {@code batch} ({@code size} controls its volume) and records what it must become. */
    void produceBatch(int batch, int size) {
        Random rnd = new Random(run.hashCode() * 31L + batch);
        long t0 = baseSeconds + batch * 7_200L;
        List<Pending> out = new ArrayList<>();
        tbds(out, rnd, batch, t0, size);
        openTsdb(out, rnd, batch, t0, size);
        blueKing(out, rnd, batch, t0, size);
        seedMapping(out, rnd, batch, t0, size);
        wholeReports(out, rnd, batch);
        // everything so far in random order over the partitions; then the records whose partition matters
        Collections.shuffle(out, rnd);
        conflicts(out, rnd, batch, t0);
        send(out);
    }

    private void tbds(List<Pending> out, Random rnd, int batch, long t0, int size) {
        String app = "chaos_" + run;
        List<String> items = new ArrayList<>();
        for (int s = 0; s < 6; s++) {
            Map<String, String> tags = tags("hostname", "h" + s, "zone", "z" + (s % 2));
            // 4 items per series and size unit, 5 entries each, in different reports
            for (int i = 0; i < 4 * size; i++) {
                StringBuilder entries = new StringBuilder();
                for (int e = 0; e < 5; e++) {
                    long sec = t0 + (i * 5L + e) * 10 + s;
                    boolean ms = rnd.nextBoolean();
                    long ts = ms ? sec * 1000 + rnd.nextInt(1000) : sec;
                    String v = value(rnd);
                    entries.append(e > 0 ? "," : "").append('"').append(ts).append("\":\"").append(v).append('"');
                    expect(app + ".tbds", tags, ts, v);
                }
                items.add("{\"appid\":\"" + app + "\",\"metricname\":\"tbds\",\"hostname\":\"h" + s + "\",\"metrics\":{"
                        + entries + "},\"tags\":{\"zone\":\"z" + (s % 2) + "\"}}");
            }
        }
        Collections.shuffle(items, rnd);
        for (int from = 0; from < items.size(); from += 3) {
            List<String> part = items.subList(from, Math.min(items.size(), from + 3));
            out.add(pending(rnd, "{\"metrics\":[" + String.join(",", part) + "]}", List.of()));
        }
        // partly valid: a bad entry, an item without hostname, a bad metric name (one datapoint)
        long sec = t0 + 5_000;
        Map<String, String> tags = tags("hostname", "h0", "zone", "z0");
        expect(app + ".tbds", tags, sec, "1");
        out.add(pending(rnd, "{\"metrics\":[{\"appid\":\"" + app + "\",\"metricname\":\"tbds\",\"hostname\":\"h0\","
                + "\"metrics\":{\"" + sec + "\":\"1\",\"" + (sec + 1) + "\":\"abc\"},\"tags\":{\"zone\":\"z0\"}},"
                + "{\"appid\":\"" + app + "\",\"metricname\":\"tbds\",\"metrics\":{\"" + sec + "\":\"2\"},\"tags\":{}},"
                + "{\"appid\":\"" + app + "\",\"metricname\":\"bad name\",\"hostname\":\"h0\",\"metrics\":{\""
                + sec + "\":\"3\"},\"tags\":{}}]}",
                List.of("invalid_value", "missing_field", "invalid_metric")));
    }

    private void openTsdb(List<Pending> out, Random rnd, int batch, long t0, int size) {
        String metric = "chaos." + run + ".put";
        List<String> points = new ArrayList<>();
        List<String> duplicates = new ArrayList<>();
        for (int s = 0; s < 6; s++) {
            Map<String, String> tags = tags("host", "h" + s, "dc", "d" + (s % 3));
            for (int i = 0; i < 20 * size; i++) {
                long sec = t0 + i * 10L + s;
                boolean ms = rnd.nextBoolean();
                long ts = ms ? sec * 1000 + rnd.nextInt(1000) : sec;
                String v = value(rnd);
                expect(metric, tags, ts, v);
                String p = point(metric, ts, v, tags);
                points.add(p);
                if (i % 10 == 3) {
                    duplicates.add(p); // an exact duplicate, in another report and maybe another partition
                    if (!ms) {
                        duplicates.add(point(metric, ts * 1000, v, tags)); // the same instant in milliseconds
                    }
                }
            }
        }
        points.addAll(duplicates);
        Collections.shuffle(points, rnd);
        for (int from = 0; from < points.size(); from += 10) {
            out.add(pending(rnd, "[" + String.join(",", points.subList(from, Math.min(points.size(), from + 10))) + "]",
                    List.of()));
        }
        // partly valid: NaN, a bad metric, no tags, 14 digits, an underflow, more tags than the TSD takes
        long sec = t0 + 6_000;
        Map<String, String> tags = tags("host", "h0", "dc", "d0");
        expect(metric, tags, sec, "7");
        Map<String, String> many = new TreeMap<>();
        for (int k = 0; k < 9; k++) {
            many.put("k" + k, "v" + k);
        }
        out.add(pending(rnd, "[" + point(metric, sec, "7", tags)
                + ",{\"metric\":\"" + metric + "\",\"timestamp\":" + (sec + 1) + ",\"value\":\"NaN\",\"tags\":{\"host\":\"h0\",\"dc\":\"d0\"}}"
                + ",{\"metric\":\"bad metric!\",\"timestamp\":" + sec + ",\"value\":1,\"tags\":{\"host\":\"h0\"}}"
                + ",{\"metric\":\"" + metric + "\",\"timestamp\":" + (sec + 2) + ",\"value\":1,\"tags\":{}}"
                + ",{\"metric\":\"" + metric + "\",\"timestamp\":12345678901234,\"value\":1,\"tags\":{\"host\":\"h0\",\"dc\":\"d0\"}}"
                + ",{\"metric\":\"" + metric + "\",\"timestamp\":" + (sec + 3) + ",\"value\":1e-400,\"tags\":{\"host\":\"h0\",\"dc\":\"d0\"}}"
                + "," + point(metric + ".wide", sec, "1", many) + "]",
                List.of("invalid_value", "invalid_metric", "no_tags", "invalid_timestamp", "invalid_value", "tsdb_rejected")));
    }

    private void blueKing(List<Pending> out, Random rnd, int batch, long t0, int size) {
        String prefix = "chaos." + run + ".bk";
        List<String> items = new ArrayList<>();
        for (int s = 0; s < 6; s++) {
            Map<String, String> tags = tags("module", "m" + (s % 3), "target", "10.0.0." + s, "tenant", "chaos");
            for (int i = 0; i < 10 * size; i++) {
                long ms = (t0 + i * 10L + s) * 1000 + rnd.nextInt(1000);
                String cpu = value(rnd);
                String mem = String.valueOf(rnd.nextInt(1_000_000));
                expect(prefix + ".cpu", tags, ms, cpu);
                expect(prefix + ".mem", tags, ms, mem);
                items.add("{\"metrics\":{\"cpu\":" + cpu + ",\"mem\":" + mem + "},\"target\":\"10.0.0." + s
                        + "\",\"dimension\":{\"module\":\"m" + (s % 3) + "\"},\"timestamp\":" + ms + "}");
            }
        }
        Collections.shuffle(items, rnd);
        for (int from = 0; from < items.size(); from += 5) {
            out.add(pending(rnd, bk(SERIES_CHANNEL, "\"access_token\":\"" + channelToken + "\"",
                    String.join(",", items.subList(from, Math.min(items.size(), from + 5)))), List.of()));
        }
        long ms = (t0 + 7_000) * 1000 + 5;
        Map<String, String> tags = tags("module", "m0", "target", "10.0.0.0", "tenant", "chaos");
        // partly valid: a metric name bk-monitor refuses, a quoted value
        expect(prefix + ".cpu", tags, ms, "5");
        out.add(pending(rnd, bk(SERIES_CHANNEL, "\"access_token\":\"" + channelToken + "\"",
                "{\"metrics\":{\"cpu\":5,\"9bad\":1,\"mem\":\"12\"},\"target\":\"10.0.0.0\",\"dimension\":{\"module\":\"m0\"},"
                        + "\"timestamp\":" + ms + "}"),
                List.of("invalid_metric", "invalid_value")));
        // an item without a timestamp: written at the Kafka record's timestamp, the same on every replay
        long recordTs = ms + 1_000;
        expect(prefix + ".cpu", tags, recordTs, "6");
        out.add(new Pending(rnd.nextInt(PARTITIONS), utf8(bk(SERIES_CHANNEL, "\"access_token\":\"" + channelToken + "\"",
                "{\"metrics\":{\"cpu\":6},\"target\":\"10.0.0.0\",\"dimension\":{\"module\":\"m0\"}}")), recordTs, List.of()));
        // refused as a whole, tokens in every spelling: none of them may reach a dead letter or a log line
        String wrong = hexToken(rnd, 'a');
        String escaped = hexToken(rnd, 'b');
        String unquoted = hexToken(rnd, 'c');
        String utf16 = hexToken(rnd, 'd');
        tokens.addAll(List.of(wrong, escaped, unquoted, utf16));
        String stray = "{\"metrics\":{\"cpu\":1},\"target\":\"10.9.9.9\",\"dimension\":{\"module\":\"m0\"},\"timestamp\":" + ms + "}";
        out.add(pending(rnd, bk(SERIES_CHANNEL, "\"access_token\":\"" + wrong + "\"", stray), List.of("auth_failed")));
        out.add(pending(rnd, bk(SERIES_CHANNEL + 999, "\"access\\u005ftoken\":\"" + escaped + "\"", stray),
                List.of("unknown_channel")));
        out.add(pending(rnd, "{\"data_id\":" + SERIES_CHANNEL + ",\"access_token\":" + unquoted + ",\"data\":[" + stray + "]}",
                List.of("malformed_json")));
        out.add(new Pending(rnd.nextInt(PARTITIONS),
                bk(SERIES_CHANNEL, "\"access_token\":\"" + utf16 + "\"", stray).getBytes(StandardCharsets.UTF_16),
                null, List.of("malformed_json")));
        // two data arrays: refused as a whole (which code is the decoder's choice), never half-read
        out.add(pending(rnd, "{\"data_id\":" + SERIES_CHANNEL + ",\"access_token\":\"" + channelToken + "\",\"data\":["
                + stray + "],\"data\":[" + stray.replace("10.9.9.9", "10.9.9.8") + "]}", List.of(ANY_REASON)));
    }

    private void seedMapping(List<Pending> out, Random rnd, int batch, long t0, int size) {
        String app = "chaos_" + run + "_seed";
        for (int s = 0; s < 4; s++) {
            Map<String, String> tags = tags("hostname", "10.1.0." + s, "instance_id", "lo", "type", "bytes");
            for (int i = 0; i < 5 * size; i++) {
                long sec = t0 + i * 10L + s;
                long ts = rnd.nextBoolean() ? sec * 1000 + rnd.nextInt(1000) : sec;
                String v = String.valueOf(rnd.nextInt(1_000_000_000));
                expect(app + ".network", tags, ts, v);
                out.add(pending(rnd, "{\"appIds\":\"" + app + "\",\"ip\":\"10.1.0." + s + "\",\"timestamp\":" + ts
                        + ",\"value\":" + v + ",\"instance_id\":\"lo\",\"type\":\"bytes\"}", List.of()));
            }
        }
        out.add(pending(rnd, "{\"appIds\":\"" + app + "\",\"timestamp\":" + t0 + ",\"value\":1,\"instance_id\":\"lo\"}",
                List.of("missing_field")));
        out.add(pending(rnd, "{\"appIds\":\"" + app + "\",\"ip\":\"10.1.0.0\",\"timestamp\":" + (t0 + 1)
                + ",\"value\":\"x\",\"instance_id\":\"lo\",\"type\":\"bytes\"}", List.of("invalid_value")));
    }

    private void wholeReports(List<Pending> out, Random rnd, int batch) {
        out.add(pending(rnd, "{\"metrics\":[{\"appid\":\"chaos_" + run + "\",\"metricname\":", List.of("malformed_json")));
        out.add(pending(rnd, "{\"foo\":1}", List.of("unknown_format")));
        out.add(pending(rnd, "{\"metrics\":[]}", List.of("empty_report")));
        out.add(new Pending(rnd.nextInt(PARTITIONS), new byte[] {'{', '"', 'm', (byte) 0xC3, '"'}, null, List.of("malformed_json")));
    }

    /** Conflicting duplicates, each after its first value in the same partition, in series short enough to remember. */
    private void conflicts(List<Pending> out, Random rnd, int batch, long t0) {
        String metric = "chaos." + run + ".conflict";
        for (int c = 0; c < 4; c++) {
            Map<String, String> tags = tags("b", "b" + batch, "c", "c" + c);
            int partition = c % PARTITIONS;
            long sec = t0 + 100 + c;
            long other = t0 + 200 + c;
            long exact = t0 + 300 + c;
            expect(metric, tags, sec, "10");
            expect(metric, tags, other, "11");
            expect(metric, tags, exact, "12");
            out.add(new Pending(partition, utf8("[" + point(metric, sec, "10", tags) + "," + point(metric, other, "11", tags)
                    + "," + point(metric, exact, "12", tags) + "]"), null, List.of()));
            // another value at the same instant: in seconds, then in milliseconds; the same value in ms: dropped
            out.add(new Pending(partition, utf8("[" + point(metric, sec, "20", tags) + "]"), null,
                    List.of("conflicting_duplicate")));
            out.add(new Pending(partition, utf8("[" + point(metric, other * 1000, "21", tags) + "]"), null,
                    List.of("conflicting_duplicate")));
            out.add(new Pending(partition, utf8("[" + point(metric, exact * 1000, "12", tags) + "]"), null, List.of()));
        }
        // one report of 13 points of a series: the newest first, 11 older ones, then another value for the newest
        Map<String, String> tags = tags("b", "b" + batch, "c", "ooo");
        long newest = t0 + 1_000;
        StringBuilder sb = new StringBuilder("[").append(point(metric, newest, "1000", tags));
        expect(metric, tags, newest, "1000");
        for (int k = 1; k <= 11; k++) {
            sb.append(',').append(point(metric, newest - k, String.valueOf(k), tags));
            expect(metric, tags, newest - k, String.valueOf(k));
        }
        sb.append(',').append(point(metric, newest, "2000", tags)).append(']');
        out.add(new Pending(rnd.nextInt(PARTITIONS), utf8(sb.toString()), null, List.of("conflicting_duplicate")));
    }

    private Pending pending(Random rnd, String json, List<String> rejects) {
        return new Pending(rnd.nextInt(PARTITIONS), utf8(json), null, rejects);
    }

    private static String bk(long dataId, String tokenField, String items) {
        return "{\"data_id\":" + dataId + "," + tokenField + ",\"data\":[" + items + "]}";
    }

    private static String point(String metric, long ts, String value, Map<String, String> tags) {
        return "{\"metric\":\"" + metric + "\",\"timestamp\":" + ts + ",\"value\":" + value + ",\"tags\":"
                + tags.entrySet().stream().map(e -> "\"" + e.getKey() + "\":\"" + e.getValue() + "\"")
                        .collect(Collectors.joining(",", "{", "}")) + "}";
    }

    /** An integer, or a float that a 4-byte float holds exactly (OpenTSDB stores floats that fit as floats). */
    private static String value(Random rnd) {
        int whole = rnd.nextInt(100_000);
        switch (rnd.nextInt(4)) {
            case 0: return whole + ".25";
            case 1: return whole + ".5";
            default: return String.valueOf(rnd.nextInt(2_000_000_000) * 10L + rnd.nextInt(10));
        }
    }

    /** 64 hex characters starting with a letter (the shape channel.sh generates, and the one that breaks parsers). */
    private static String hexToken(Random rnd, char first) {
        StringBuilder sb = new StringBuilder().append(first);
        while (sb.length() < 64) {
            sb.append(Character.forDigit(rnd.nextInt(16), 16));
        }
        return sb.toString();
    }

    private static Map<String, String> tags(String... kv) {
        Map<String, String> tags = new TreeMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            tags.put(kv[i], kv[i + 1]);
        }
        return tags;
    }

    private void expect(String metric, Map<String, String> tags, long ts, String value) {
        long instant = ts < 4_294_967_296L ? ts * 1000 : ts;
        BigDecimal v = new BigDecimal(value);
        BigDecimal before = expected.computeIfAbsent(new SeriesKey(metric, new TreeMap<>(tags)), k -> new TreeMap<>())
                .put(instant, v);
        if (before != null && before.compareTo(v) != 0) {
            throw new IllegalStateException("the generator expects two values at " + metric + tags + " " + instant);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private void send(List<Pending> records) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap.get());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true); // keeps the order within a partition
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 << 20);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            List<Future<RecordMetadata>> futures = new ArrayList<>();
            for (Pending p : records) {
                futures.add(producer.send(new ProducerRecord<>(topic, p.partition, p.timestamp, null, p.value)));
            }
            producer.flush();
            for (int i = 0; i < records.size(); i++) {
                RecordMetadata m = futures.get(i).get(120, TimeUnit.SECONDS);
                for (String reason : records.get(i).rejects) {
                    expectedRejects.merge(new RejectKey(reason, m.partition(), m.offset()), 1, Integer::sum);
                }
            }
            inputs += records.size();
        } catch (ExecutionException e) {
            throw new IllegalStateException("producing to " + topic + " failed", e.getCause());
        } catch (Exception e) {
            throw new IllegalStateException("producing to " + topic + " failed", e);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // checking

    /** The series key as OpenTSDB reports it: metric and every tag. */
    record SeriesKey(String metric, SortedMap<String, String> tags) {
        @Override
        public String toString() {
            return metric + tags;
        }
    }

    /** Where and why a refusal must appear in the dead-letter topic. */
    record RejectKey(String reason, int partition, long offset) {}

    /** Nothing changed for this long: what is missing will not come (a job that retries makes progress sooner). */
    static final Duration QUIET = Duration.ofSeconds(30);

    /**
     * Polls {@link #check} until everything expected was found, or the timeout passed, or nothing changed for
     * {@link #QUIET}; returns the last check.
     */
    ConservationReport awaitComplete(RealOpenTsdb tsdb, LogLeakWatch logs, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long changed = System.nanoTime();
        String progress = "";
        while (true) {
            ConservationReport report = check(tsdb, logs);
            String now = report.written() + "/" + report.deadLettered() + "/" + report.unexpected() + "/" + report.corrupted();
            if (!now.equals(progress)) {
                progress = now;
                changed = System.nanoTime();
            }
            if (report.complete() || System.nanoTime() > deadline || System.nanoTime() - changed > QUIET.toNanos()) {
                return report;
            }
            Await.pause(1_000);
        }
    }

    /** Reads back everything of this run and accounts for every input. */
    ConservationReport check(RealOpenTsdb tsdb, LogLeakWatch logs) {
        List<String> problems = new ArrayList<>();
        int written = 0;
        int lost = 0;
        int unexpected = 0;
        Set<SeriesKey> corrupted = new TreeSet<>((a, b) -> a.toString().compareTo(b.toString()));
        Map<String, List<SeriesKey>> byMetric = expected.keySet().stream()
                .collect(Collectors.groupingBy(SeriesKey::metric, LinkedHashMap::new, Collectors.toList()));
        long start = baseSeconds - 60;
        long end = expected.values().stream().mapToLong(SortedMap::lastKey).max().orElse(0) / 1000 + 3_600;
        for (Map.Entry<String, List<SeriesKey>> m : byMetric.entrySet()) {
            Map<SeriesKey, SortedMap<Long, String>> actual = new HashMap<>();
            try {
                for (RealOpenTsdb.Series s : tsdb.querySeries(m.getKey(), Map.of(), start, end)) {
                    actual.put(new SeriesKey(s.metric(), new TreeMap<>(s.tags())), s.points());
                }
            } catch (IllegalStateException e) {
                // one series that fails its query fails the metric's: find which, one by one
                for (SeriesKey key : m.getValue()) {
                    try {
                        List<RealOpenTsdb.Series> one = tsdb.querySeries(key.metric(), key.tags(), start, end);
                        one.forEach(s -> actual.put(new SeriesKey(s.metric(), new TreeMap<>(s.tags())), s.points()));
                    } catch (IllegalStateException failed) {
                        corrupted.add(key);
                        note(problems, "series " + key + " fails to query: " + abbreviate(failed.getMessage()));
                    }
                }
            }
            for (SeriesKey key : m.getValue()) {
                if (corrupted.contains(key)) {
                    continue;
                }
                SortedMap<Long, String> points = actual.getOrDefault(key, Collections.emptySortedMap());
                for (Map.Entry<Long, BigDecimal> e : expected.get(key).entrySet()) {
                    String got = points.get(e.getKey());
                    if (got == null) {
                        lost++;
                        note(problems, "lost: " + key + " at " + e.getKey() + " = " + e.getValue());
                    } else if (new BigDecimal(got).compareTo(e.getValue()) != 0) {
                        corrupted.add(key);
                        note(problems, "wrong value: " + key + " at " + e.getKey() + " holds " + got + ", expected " + e.getValue());
                    } else {
                        written++;
                    }
                }
                for (Long ts : points.keySet()) {
                    if (!expected.get(key).containsKey(ts)) {
                        unexpected++;
                        note(problems, "unexpected datapoint: " + key + " at " + ts + " = " + points.get(ts));
                    }
                }
            }
            for (Map.Entry<SeriesKey, SortedMap<Long, String>> a : actual.entrySet()) {
                if (!expected.containsKey(a.getKey())) {
                    unexpected += a.getValue().size();
                    note(problems, "unexpected series: " + a.getKey() + " with " + a.getValue().size() + " datapoints");
                }
            }
        }

        // the dead-letter topic, all of it
        int deadLettered = 0;
        int duplicates = 0;
        int leaked = 0;
        Map<RejectKey, Integer> found = new HashMap<>();
        Map<String, Integer> foundAnyReason = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : readAll(deadLetterTopic)) {
            String text = new String(r.value(), StandardCharsets.UTF_8);
            for (String token : tokens) {
                if (holdsToken(text, token)) {
                    leaked++;
                    note(problems, "token leaked into a dead letter: " + abbreviate(text));
                    break;
                }
            }
            try {
                JsonNode n = JSON.readTree(text);
                if (!topic.equals(n.path("topic").asText())) {
                    unexpected++;
                    note(problems, "dead letter without this run's origin: " + abbreviate(text));
                    continue;
                }
                found.merge(new RejectKey(n.path("reason").asText(), n.path("partition").asInt(), n.path("offset").asLong()),
                        1, Integer::sum);
                foundAnyReason.merge(n.path("partition").asInt() + "@" + n.path("offset").asLong(), 1, Integer::sum);
            } catch (IOException e) {
                unexpected++;
                note(problems, "unreadable dead letter: " + abbreviate(text));
            }
        }
        for (Map.Entry<RejectKey, Integer> e : expectedRejects.entrySet()) {
            RejectKey k = e.getKey();
            int got = ANY_REASON.equals(k.reason())
                    ? foundAnyReason.getOrDefault(k.partition() + "@" + k.offset(), 0)
                    : found.getOrDefault(k, 0);
            int want = e.getValue();
            deadLettered += Math.min(got, want);
            duplicates += Math.max(0, got - want);
            if (got < want) {
                lost += want - got;
                note(problems, "missing dead letter: " + k.reason() + " of " + k.partition() + "@" + k.offset());
            }
            if (ANY_REASON.equals(k.reason())) {
                found.keySet().removeIf(f -> f.partition() == k.partition() && f.offset() == k.offset());
            } else {
                found.remove(k);
            }
        }
        for (Map.Entry<RejectKey, Integer> e : found.entrySet()) {
            unexpected += e.getValue();
            note(problems, "unexpected dead letter: " + e.getKey().reason() + " of " + e.getKey().partition() + "@" + e.getKey().offset());
        }
        if (logs != null) {
            leaked += logs.leaks();
            logs.firstLeaks().forEach(l -> note(problems, "token leaked into a log line: " + abbreviate(l)));
        }
        int expectedPoints = expected.values().stream().mapToInt(Map::size).sum();
        int expectedRefusals = expectedRejects.values().stream().mapToInt(Integer::intValue).sum();
        return new ConservationReport(scenario, inputs, expectedPoints, expectedRefusals, written, deadLettered, lost,
                corrupted.size(), unexpected, duplicates, leaked, ConservationReport.JobStats.NONE,
                List.copyOf(problems));
    }

    /** A token in clear, or spread by NUL characters or their JSON escapes (a UTF-16 payload read as UTF-8). */
    static boolean holdsToken(String text, String token) {
        if (text.contains(token)) {
            return true;
        }
        String squeezed = text.replace("\\u0000", "").replace("\u0000", "");
        return squeezed.contains(token);
    }

    private static void note(List<String> problems, String problem) {
        if (problems.size() < 25) {
            problems.add(problem);
        } else if (problems.size() == 25) {
            problems.add("...");
        }
    }

    private static String abbreviate(String s) {
        if (s == null) {
            return "null";
        }
        return s.length() <= 300 ? s : s.substring(0, 300) + "...";
    }

    /** Every record of the topic up to its current end. */
    private List<ConsumerRecord<byte[], byte[]>> readAll(String name) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, deadLetterBootstrap.get());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000);
        List<ConsumerRecord<byte[], byte[]>> result = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(name, Duration.ofSeconds(20));
            if (infos == null || infos.isEmpty()) {
                return result;
            }
            List<TopicPartition> partitions = infos.stream().map(i -> new TopicPartition(name, i.partition())).collect(Collectors.toList());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> endOffsets = consumer.endOffsets(partitions, Duration.ofSeconds(20));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline && partitions.stream().anyMatch(p -> consumer.position(p) < endOffsets.get(p))) {
                consumer.poll(Duration.ofMillis(200)).forEach(result::add);
            }
        }
        return result;
    }

    static void createTopic(String bootstrapServers, String name, int partitions) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("could not create topic " + name, e.getCause());
            }
        } catch (Exception e) {
            throw new IllegalStateException("could not create topic " + name, e);
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s (run %s, topic %s)", scenario, run, topic);
    }
}
