package io.tsdbpipe.gateway;

import io.tsdbpipe.channel.ChannelAdmin;
import io.tsdbpipe.channel.ChannelKind;
import io.tsdbpipe.testing.TestingKafkaBroker;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.tsdbpipe.gateway.ReportProducerITCase.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway as its own JVM process (the way scripts/gateway.sh runs it), killed with SIGKILL while clients post
 * BlueKing pushes and Flume envelopes with unique ids: every report a client got 200 for is in the topic.
 */
class GatewayCrashITCase {

    private static final TestingKafkaBroker KAFKA = TestingKafkaBroker.shared();
    private static final Pattern ID = Pattern.compile("\"rid\":\"(c\\d+-\\d+)\"");
    private static final int CLIENTS = 4;
    private static final int ACKED_BEFORE_KILL = 300;

    @Test
    @Timeout(120)
    void noAcknowledgedReportIsLostWhenTheProcessIsKilled() throws Exception {
        KAFKA.start();
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String topic = "gateway-crash-" + suffix;
        String channelTopic = "gateway-crash-channels-" + suffix;
        KAFKA.createTopic(topic, 2);
        Properties client = new Properties();
        client.put("bootstrap.servers", KAFKA.bootstrapServers());
        String token;
        try (ChannelAdmin admin = new ChannelAdmin(channelTopic, client, Duration.ofSeconds(30))) {
            token = admin.create(1500001, "crash", ChannelKind.TIME_SERIES, "crash", null, 0, -1, null).token();
        }

        int httpPort = freePort();
        int flumePort = freePort();
        Path log = Path.of("target", "gateway-crash-" + suffix + ".log");
        Files.createDirectories(log.getParent());
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-cp", System.getProperty("java.class.path"),
                "io.tsdbpipe.gateway.ReportGateway",
                "--config", "flink-conf/gateway.yaml",
                "--gateway.http-port", String.valueOf(httpPort),
                "--gateway.flume-port", String.valueOf(flumePort),
                "--kafka.bootstrap-servers", KAFKA.bootstrapServers(),
                "--kafka.topic", topic,
                "--channels.topic", channelTopic,
                "--rate-limits.default.requests-per-second", "0",
                "--rate-limits.default.datapoints-per-second", "0"));
        Process gateway = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2))
                .build();
        String base = "http://127.0.0.1:" + httpPort;
        String flume = "http://127.0.0.1:" + flumePort + "/";
        try {
            waitFor("the gateway process ready (see " + log + ")", Duration.ofSeconds(60),
                    () -> gateway.isAlive() && status(http, base + "/healthz") == 200);

            Set<String> acked = ConcurrentHashMap.newKeySet();
            Set<String> unanswered = ConcurrentHashMap.newKeySet();
            Set<String> refused = ConcurrentHashMap.newKeySet();
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int me = c;
                Thread t = new Thread(() -> {
                    for (int n = 0; !stop.get(); n++) {
                        List<String> ids = new ArrayList<>();
                        HttpRequest request;
                        if (n % 2 == 0) {
                            String id = "c" + me + "-" + n;
                            ids.add(id);
                            request = post(base + "/v2/push/", push(token, id));
                        } else {
                            String a = "c" + me + "-" + n;
                            String b = "c" + me + "-" + n + "000000";
                            ids.add(a);
                            ids.add(b);
                            request = post(flume, "[{\"headers\":{\"key\":\"" + a + "\"},\"body\":" + quote(tbds(a))
                                    + "},{\"headers\":{},\"body\":" + quote(tbds(b)) + "}]");
                        }
                        try {
                            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
                            (r.statusCode() == 200 ? acked : refused).addAll(ids);
                        } catch (IOException e) {
                            unanswered.addAll(ids);
                            if (!gateway.isAlive()) {
                                return;
                            }
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }, "crash-client-" + c);
                t.start();
                clients.add(t);
            }
            waitFor(ACKED_BEFORE_KILL + " acknowledged reports", Duration.ofSeconds(60),
                    () -> acked.size() >= ACKED_BEFORE_KILL);
            gateway.destroyForcibly(); // SIGKILL: no shutdown hook, no flush
            assertThat(gateway.waitFor(20, TimeUnit.SECONDS)).isTrue();
            stop.set(true);
            for (Thread t : clients) {
                t.join(TimeUnit.SECONDS.toMillis(20));
            }

            Set<String> inTopic = new HashSet<>();
            for (ConsumerRecord<byte[], byte[]> r : KAFKA.consumeRecords(topic, acked.size(), Duration.ofSeconds(30),
                    Map.of())) {
                Matcher m = ID.matcher(new String(r.value(), StandardCharsets.UTF_8));
                while (m.find()) {
                    inTopic.add(m.group(1));
                }
            }
            System.out.printf("GatewayCrashITCase: %d acknowledged, %d in the topic, %d unanswered, %d refused%n",
                    acked.size(), inTopic.size(), unanswered.size(), refused.size());
            assertThat(refused).as("only 200 or no answer under this load").isEmpty();
            assertThat(inTopic).containsAll(acked);
        } finally {
            gateway.destroyForcibly();
        }
    }

    private static HttpRequest post(String url, String body) {
        return HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    private static int status(HttpClient http, String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static String push(String token, String id) {
        return "{\"data_id\":1500001,\"access_token\":\"" + token + "\",\"data\":[{\"metrics\":{\"load\":1},"
                + "\"target\":\"127.0.0.1\",\"dimension\":{\"rid\":\"" + id + "\"},\"timestamp\":1612509542000}]}";
    }

    private static String tbds(String id) {
        return "{\"metrics\":[{\"appid\":\"crash\",\"hostname\":\"h1\",\"metricname\":\"load\","
                + "\"metrics\":{\"1597634942159\":\"1\"},\"tags\":{\"rid\":\"" + id + "\"}}]}";
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
