package io.tsdbpipe.gateway;

import io.tsdbpipe.channel.ChannelAdmin;
import io.tsdbpipe.channel.ChannelKind;
import io.tsdbpipe.chaos.RestartableKafkaBroker;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway on a real Kafka broker (KRaft, in this JVM, restartable on its ports) with Java's HTTP client: every
 * endpoint's answer and its records in the report topic, the refusals with their exact answers, channels changed with
 * ChannelAdmin (what scripts/channel.sh writes) while the gateway runs, and Kafka stopped and back: every 200 given is
 * in the topic. One broker and one gateway for the class; the broker outage runs last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReportGatewayITCase {

    private static final String TOPIC = "gw-reports";
    private static final String CHANNELS = "gw-channels";
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    private static RestartableKafkaBroker broker;
    private static ChannelAdmin admin;
    private static ReportGateway gateway;
    private static HttpClient client;
    private static long tsChannel;
    private static String tsToken;
    private static long eventsChannel;
    private static String eventsToken;
    private static long limitedChannel;
    private static String limitedToken;

    @BeforeAll
    static void startBrokerAndGateway() throws Exception {
        broker = new RestartableKafkaBroker("gateway");
        broker.start();
        try (Admin a = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            a.createTopics(List.of(new NewTopic(TOPIC, 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        admin = new ChannelAdmin(CHANNELS, clientProperties(), Duration.ofSeconds(30));
        ChannelAdmin.Created ts = admin.create(1500001, "app1", ChannelKind.TIME_SERIES, "bk.app1", null, 0, -1, null);
        ChannelAdmin.Created ev = admin.create(1500002, "app2", ChannelKind.EVENTS, "bk.app2", null, 0, -1, null);
        ChannelAdmin.Created lim = admin.create(1500003, "app3", ChannelKind.TIME_SERIES, "bk.app3", null, 0, -1, null);
        tsChannel = ts.channel().dataId();
        tsToken = ts.token();
        eventsChannel = ev.channel().dataId();
        eventsToken = ev.token();
        limitedChannel = lim.channel().dataId();
        limitedToken = lim.token();

        Map<String, String> conf = new HashMap<>();
        conf.put("gateway.http-port", "0");
        conf.put("gateway.flume-port", "0");
        conf.put("gateway.io-threads", "2");
        conf.put("gateway.max-body-size", "64 kb");
        conf.put("gateway.max-decompressed-size", "256 kb");
        conf.put("gateway.retry-after", "2 s");
        conf.put("kafka.bootstrap-servers", broker.bootstrapServers());
        conf.put("kafka.topic", TOPIC);
        conf.put("kafka.ack-timeout", "3 s");
        conf.put("channels.topic", CHANNELS);
        conf.put("rate-limits.channels." + limitedChannel + ".requests-per-second", "1");
        gateway = ReportGateway.start(GatewaySettings.of(conf));
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        waitFor("the gateway is ready", () -> get("/healthz").statusCode() == 200);
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (admin != null) {
            admin.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    // ---- what each endpoint takes

    @Test
    @Order(1)
    void blueKingPushIsInTheTopicKeyedByDataIdBeforeThe200() throws Exception {
        String body = timeSeries(tsChannel, tsToken, "cpu_load", 1);
        HttpResponse<String> r = post("/v2/push/", body);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"code\":\"200\",\"result\":\"true\",\"message\":\"\"}");
        ConsumerRecord<byte[], byte[]> record = single(body);
        assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo(Long.toString(tsChannel));

        String event = "{\"data_id\":" + eventsChannel + ",\"access_token\":\"" + eventsToken + "\",\"data\":["
                + "{\"event_name\":\"login_failed\",\"event\":{\"content\":\"user x\"},\"target\":\"127.0.0.1\","
                + "\"dimension\":{\"module\":\"db\"},\"timestamp\":1700000000000}]}";
        assertThat(post("/v2/push/", event).statusCode()).isEqualTo(200);
        assertThat(new String(single(event).key(), StandardCharsets.UTF_8)).isEqualTo(Long.toString(eventsChannel));
    }

    @Test
    @Order(2)
    void openTsdbPutAnswersLikeOpenTsdb() throws Exception {
        String body = "[{\"metric\":\"sys.cpu\",\"timestamp\":1700000000,\"value\":1,\"tags\":{\"host\":\"a\"}},"
                + "{\"metric\":\"sys.cpu\",\"timestamp\":1700000001,\"value\":2,\"tags\":{\"host\":\"a\"}}]";
        HttpResponse<String> plain = post("/api/put", body);
        assertThat(plain.statusCode()).isEqualTo(204);
        assertThat(single(body).key()).isNull();
        String one = "{\"metric\":\"sys.mem\",\"timestamp\":1700000000,\"value\":5,\"tags\":{\"host\":\"b\"}}";
        HttpResponse<String> summary = post("/api/put?summary", one);
        assertThat(summary.statusCode()).isEqualTo(200);
        assertThat(summary.body()).isEqualTo("{\"success\":1,\"failed\":0}");
        single(one);
        HttpResponse<String> details = post("/api/put?details", body.replace("1700000001", "1700000002"));
        assertThat(details.body()).isEqualTo("{\"success\":2,\"failed\":0,\"errors\":[]}");
    }

    @Test
    @Order(3)
    void flumeEnvelopeIsOneRecordPerEventAndABareReportOne() throws Exception {
        String first = "{\"hostname\":\"h1\",\"appid\":\"app\",\"metricname\":\"m\",\"items\":{\"1700000000\":1}}";
        String second = "{\"hostname\":\"h2\",\"appid\":\"app\",\"metricname\":\"m\",\"items\":{\"1700000000\":2}}";
        String envelope = "[{\"headers\":{\"key\":\"h1\",\"origin\":\"test\"},\"body\":" + quote(first) + "},"
                + "{\"headers\":{},\"body\":" + quote(second) + "}]";
        HttpResponse<String> r = postTo(gateway.flumePort(), "/", envelope, null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEmpty();
        ConsumerRecord<byte[], byte[]> keyed = single(first);
        assertThat(new String(keyed.key(), StandardCharsets.UTF_8)).isEqualTo("h1");
        assertThat(headers(keyed)).containsEntry("origin", "test");
        assertThat(single(second).key()).isNull();

        String bare = "{\"hostname\":\"h3\",\"appid\":\"app\",\"metricname\":\"m\",\"items\":{\"1700000000\":3}}";
        assertThat(postTo(gateway.flumePort(), "/anything", bare, null).statusCode()).isEqualTo(200);
        single(bare);
    }

    @Test
    @Order(4)
    void gzipBodiesAreProducedDecompressedAndBombsRefused() throws Exception {
        String body = timeSeries(tsChannel, tsToken, "gzipped", 7);
        HttpResponse<String> r = postTo(gateway.httpPort(), "/v2/push/", gzip(body.getBytes(StandardCharsets.UTF_8)),
                "gzip");
        assertThat(r.statusCode()).isEqualTo(200);
        single(body);

        // a valid push padded with 1 MB of spaces: 1 KB on the wire, over the decompressed limit
        String padded = timeSeries(tsChannel, tsToken, "bomb", 1) + " ".repeat(1 << 20);
        byte[] bomb = gzip(padded.getBytes(StandardCharsets.UTF_8));
        assertThat(bomb.length).isLessThan(64 * 1024);
        HttpResponse<String> refused = postTo(gateway.httpPort(), "/v2/push/", bomb, "gzip");
        assertThat(refused.statusCode()).isEqualTo(413);
        assertThat(refused.body()).isEqualTo("{\"code\":\"413\",\"result\":\"false\",\"message\":"
                + "\"gzip body inflates to more than 262144 bytes (gateway.max-decompressed-size)\"}");
    }

    // ---- refusals, with nothing in the topic

    @Test
    @Order(5)
    void malformedEmptyAndOversizedRequestsAreRefused() throws Exception {
        HttpResponse<String> empty = post("/v2/push/", "");
        assertBlueKingRefusal(empty, 400);
        assertThat(empty.body()).isEqualTo("{\"code\":\"400\",\"result\":\"false\",\"message\":\"the body is empty\"}");
        HttpResponse<String> malformed = post("/v2/push/", "{\"data_id\":");
        assertBlueKingRefusal(malformed, 400);
        assertThat(malformed.body()).contains("\"message\":\"not valid JSON");
        HttpResponse<String> putMalformed = post("/api/put", "[{\"metric\":");
        assertThat(putMalformed.statusCode()).isEqualTo(400);
        assertThat(putMalformed.body()).startsWith("{\"error\":{\"code\":400,\"message\":\"not valid JSON");
        HttpResponse<String> flumeMalformed = postTo(gateway.flumePort(), "/", "not json", null);
        assertThat(flumeMalformed.statusCode()).isEqualTo(400);
        assertThat(flumeMalformed.headers().firstValue("content-type")).hasValue("text/plain; charset=UTF-8");
        assertThat(flumeMalformed.body()).startsWith("not valid JSON").endsWith("\n");

        String oversized = timeSeries(tsChannel, tsToken, "big", 1) + " ".repeat(70 * 1024);
        HttpResponse<String> big = post("/v2/push/", oversized);
        assertThat(big.statusCode()).isEqualTo(413);
        assertThat(big.body()).isEqualTo("{\"code\":\"413\",\"result\":\"false\",\"message\":"
                + "\"request body larger than 65536 bytes (gateway.max-body-size)\"}");
        assertThat(metrics()).contains( // the gzip bomb before and this one
                "gateway_rejected_total{endpoint=\"v2_push\",reason=\"body_too_large\"} 2",
                "gateway_rejected_total{endpoint=\"v2_push\",reason=\"empty_body\"} 1");
        assertThat(recordsContaining("\"big\"")).isEmpty();
    }

    @Test
    @Order(6)
    void wrongTokenUnknownAndDisabledChannelsAre401WithoutTheToken() throws Exception {
        String wrongToken = "not-the-token-of-this-channel-123";
        HttpResponse<String> wrong = post("/v2/push/", timeSeries(tsChannel, wrongToken, "wrong", 1));
        assertBlueKingRefusal(wrong, 401);
        // the same answer for every 401: a client cannot probe which data_ids exist
        assertThat(wrong.body()).isEqualTo("{\"code\":\"401\",\"result\":\"false\",\"message\":\"reject invalid "
                + "token: data_id " + tsChannel + " with this access_token is not an enabled channel\"}");

        HttpResponse<String> unknown = post("/v2/push/", timeSeries(1599999, tsToken, "unknown", 1));
        assertBlueKingRefusal(unknown, 401);
        assertThat(unknown.body()).contains("data_id 1599999").doesNotContain(tsToken);

        ChannelAdmin.Created doomed = admin.create(1500004, "app4", ChannelKind.TIME_SERIES, "bk.app4", null, 0, -1,
                null);
        String push = timeSeries(1500004, doomed.token(), "doomed", 1);
        waitFor("a new channel is taken", () -> post("/v2/push/", push).statusCode() == 200);
        admin.setEnabled(1500004, false);
        waitFor("a disabled channel is refused", () -> post("/v2/push/", push).statusCode() == 401);
        assertThat(metrics()).contains("reason=\"invalid_token\"", "reason=\"unknown_channel\"",
                "reason=\"channel_disabled\"");
        assertThat(recordsContaining("\"wrong\"")).isEmpty();
        assertThat(recordsContaining("\"unknown\"")).isEmpty();
    }

    @Test
    @Order(7)
    void overTheChannelsRateLimitIs429WithRetryAfter() throws Exception {
        String push = timeSeries(limitedChannel, limitedToken, "limited", 1);
        HttpResponse<String> first = post("/v2/push/", push);
        assertThat(first.statusCode()).isEqualTo(200);
        HttpResponse<String> second = post("/v2/push/", push);
        assertThat(second.statusCode()).isEqualTo(429);
        assertThat(second.headers().firstValue("retry-after")).hasValue("2");
        assertThat(second.body()).isEqualTo("{\"code\":\"429\",\"result\":\"false\",\"message\":"
                + "\"ratelimiter rejected the request: data_id " + limitedChannel + " is over its rate limit\"}");
        assertThat(metrics()).contains("gateway_rate_limited_total{data_id=\"" + limitedChannel + "\"} 1");
        // other channels are not limited by it
        assertThat(post("/v2/push/", timeSeries(tsChannel, tsToken, "unlimited", 1)).statusCode()).isEqualTo(200);
        assertThat(recordsContaining("\"limited\"")).hasSize(1);
    }

    @Test
    @Order(8)
    void aTokenRotatedAtRuntimeTakesEffect() throws Exception {
        ChannelAdmin.Created rotated = admin.rotateToken(tsChannel);
        String oldPush = timeSeries(tsChannel, tsToken, "rotation_old", 1);
        String newPush = timeSeries(tsChannel, rotated.token(), "rotation_new", 1);
        waitFor("the old token is refused", () -> post("/v2/push/", oldPush).statusCode() == 401);
        assertThat(post("/v2/push/", newPush).statusCode()).isEqualTo(200);
        tsToken = rotated.token();
    }

    // ---- Kafka down and back

    @Test
    @Order(9)
    void kafkaStoppedIs503WithRetryAfterAndEvery200IsKept() throws Exception {
        // clients keep posting through the outage, each report once, as applications that drop what was refused
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        List<String> failures = new CopyOnWriteArrayList<>();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger sent = new AtomicInteger();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < 3; c++) {
            Thread t = new Thread(() -> {
                while (running.get()) {
                    String body = timeSeries(tsChannel, tsToken, "outage_" + sent.incrementAndGet(), 1);
                    try {
                        HttpResponse<String> r = post("/v2/push/", body);
                        statuses.computeIfAbsent(r.statusCode(), k -> new AtomicInteger()).incrementAndGet();
                        if (r.statusCode() == 200) {
                            acknowledged.add(body);
                        } else if (r.statusCode() != 503 || !r.headers().firstValue("retry-after").equals(
                                Optional.of("2"))) {
                            failures.add(r.statusCode() + " " + r.headers().map() + " " + r.body());
                        } else {
                            Thread.sleep(50); // a client's retry pace
                        }
                    } catch (Exception e) {
                        failures.add(e.toString());
                    }
                }
            }, "outage-client-" + c);
            t.start();
            clients.add(t);
        }
        try {
            waitFor("reports flow", () -> acknowledged.size() >= 20);
            broker.stop();
            try {
                waitFor("503 while the broker is down",
                        () -> statuses.getOrDefault(503, new AtomicInteger()).get() >= 3);
                HttpResponse<String> refused = post("/v2/push/", timeSeries(tsChannel, tsToken, "while_down", 1));
                assertBlueKingRefusal(refused, 503);
                assertThat(refused.headers().firstValue("retry-after")).hasValue("2");
                waitFor("/healthz turns 503", () -> get("/healthz").statusCode() == 503);
                assertThat(get("/healthz").body()).contains("\"kafka_reachable\":false");
                assertThat(metrics()).contains("\ngateway_kafka_reachable 0\n");
            } finally {
                broker.start();
            }
            int before = acknowledged.size();
            waitFor("200s again once the broker is back", () -> acknowledged.size() >= before + 20);
            waitFor("/healthz is ready again", () -> get("/healthz").statusCode() == 200);
        } finally {
            running.set(false);
            for (Thread t : clients) {
                t.join(20_000);
            }
        }
        assertThat(failures).as("only 200 and 503 with Retry-After").isEmpty();
        assertThat(metrics()).contains("\ngateway_kafka_reachable 1\n",
                "gateway_rejected_total{endpoint=\"v2_push\",reason=\"kafka_unavailable\"}");
        List<String> inTopic = values(readAll());
        assertThat(inTopic).as("every report answered 200 (%s of %s sent, answers %s) is in the topic",
                acknowledged.size(), sent.get(), statuses).containsAll(acknowledged);
    }

    // ---- helpers

    private static String timeSeries(long dataId, String token, String metric, int value) {
        return "{\"data_id\":" + dataId + ",\"access_token\":\"" + token + "\",\"data\":[{\"metrics\":{\"" + metric
                + "\":" + value + "},\"target\":\"127.0.0.1\",\"dimension\":{\"module\":\"db\"},"
                + "\"timestamp\":1700000000000}]}";
    }

    private static void assertBlueKingRefusal(HttpResponse<String> r, int status) {
        assertThat(r.statusCode()).isEqualTo(status);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json; charset=UTF-8");
        assertThat(r.body()).startsWith("{\"code\":\"" + status + "\",\"result\":\"false\",\"message\":\"")
                .endsWith("\"}").doesNotContain("\"message\":\"\"");
    }

    private static HttpResponse<String> post(String path, String body) throws Exception {
        return postTo(gateway.httpPort(), path, body.getBytes(StandardCharsets.UTF_8), null);
    }

    private static HttpResponse<String> postTo(int port, String path, String body, String encoding) throws Exception {
        return postTo(port, path, body.getBytes(StandardCharsets.UTF_8), encoding);
    }

    private static HttpResponse<String> postTo(int port, String path, byte[] body, String encoding) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(15)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (encoding != null) {
            b.header("Content-Encoding", encoding);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.httpPort() + path))
                .timeout(Duration.ofSeconds(15)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String metrics() throws Exception {
        HttpResponse<String> r = get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    /** The one record of the topic whose value is exactly this (it was acknowledged before the answer). */
    private static ConsumerRecord<byte[], byte[]> single(String value) {
        byte[] expected = value.getBytes(StandardCharsets.UTF_8);
        List<ConsumerRecord<byte[], byte[]>> matching = readAll().stream()
                .filter(r -> Arrays.equals(r.value(), expected)).collect(Collectors.toList());
        assertThat(matching).as("records of %s", value).hasSize(1);
        return matching.get(0);
    }

    private static List<String> recordsContaining(String part) {
        return values(readAll()).stream().filter(v -> v.contains(part)).collect(Collectors.toList());
    }

    private static List<String> values(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).collect(Collectors.toList());
    }

    private static Map<String, String> headers(ConsumerRecord<byte[], byte[]> r) {
        Map<String, String> h = new HashMap<>();
        for (Header header : r.headers()) {
            h.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
        }
        return h;
    }

    /** Every record of the report topic up to its end offsets of now. */
    private static List<ConsumerRecord<byte[], byte[]>> readAll() {
        Properties p = clientProperties();
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(TOPIC, Duration.ofSeconds(30)).stream()
                    .map(i -> new TopicPartition(TOPIC, i.partition())).collect(Collectors.toList());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))
                    && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            return out;
        }
    }

    private static Properties clientProperties() {
        Properties p = new Properties();
        p.put("bootstrap.servers", broker.bootstrapServers());
        return p;
    }

    /** Polls the condition until it holds or the deadline passes (then fails naming it). */
    private static void waitFor(String what, Check check) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!check.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + DEADLINE.toSeconds() + " s: " + what);
            }
            Thread.sleep(100);
        }
    }

    @FunctionalInterface
    private interface Check {
        boolean holds() throws Exception;
    }
}
