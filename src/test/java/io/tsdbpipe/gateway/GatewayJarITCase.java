package io.tsdbpipe.gateway;

import io.tsdbpipe.channel.ChannelAdmin;
import io.tsdbpipe.channel.ChannelKind;
import io.tsdbpipe.testing.TestingKafkaBroker;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipFile;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway as it ships: {@code java -jar target/*-gateway.jar} with no Flink on its classpath, on a real broker.
 * Every endpoint once (so any Flink class the gateway's code touched would fail it), the ready line, SIGTERM. Also what
 * the two shaded jars hold: Netty only in the gateway's, Flink only in the job's.
 */
class GatewayJarITCase {

    private static final TestingKafkaBroker KAFKA = TestingKafkaBroker.shared();
    private static final Pattern READY = Pattern.compile(
            "gateway ready: http://127\\.0\\.0\\.1:(\\d+) \\(/v2/push/, /api/put, /healthz, /metrics\\), "
                    + "flume http://127\\.0\\.0\\.1:(\\d+)");

    private static final String STATIC_TOKEN = "static-token-of-the-configuration";

    @Test
    void theShadedJarServesEveryEndpointWithoutFlink() throws Exception {
        Path jar = jar(true);
        Path jobJar = jar(false);
        try (ZipFile gw = new ZipFile(jar.toFile()); ZipFile job = new ZipFile(jobJar.toFile())) {
            assertThat(gw.stream().anyMatch(e -> e.getName().startsWith("org/apache/flink/"))).isFalse();
            assertThat(gw.getEntry("io/netty/handler/codec/http/HttpServerCodec.class")).isNotNull();
            assertThat(gw.getEntry("org/apache/kafka/clients/producer/KafkaProducer.class")).isNotNull();
            assertThat(gw.getEntry("org/apache/logging/slf4j/Log4jLoggerFactory.class")).isNotNull();
            assertThat(gw.getEntry("log4j2.properties")).isNotNull();
            assertThat(job.stream().anyMatch(e -> e.getName().startsWith("io/netty/"))).isFalse();
            assertThat(job.stream().anyMatch(e -> e.getName().startsWith("org/apache/logging/"))).isFalse();
            // the cluster loads neither the command-line tools nor the gateway
            assertThat(job.getEntry("io/tsdbpipe/job/ReportPipelineJob.class")).isNotNull();
            assertThat(job.stream().anyMatch(e -> e.getName().startsWith("io/tsdbpipe/tools/"))).isFalse();
            assertThat(job.stream().anyMatch(e -> e.getName().startsWith("io/tsdbpipe/gateway/"))).isFalse();
            assertThat(gw.getEntry("io/tsdbpipe/tools/ShowOpenTsdb.class")).isNotNull();
        }

        String topic = "gwjar-reports";
        String channels = "gwjar-channels";
        KAFKA.createTopic(topic, 1);
        Properties client = new Properties();
        client.put("bootstrap.servers", KAFKA.bootstrapServers());
        ChannelAdmin.Created channel;
        try (ChannelAdmin admin = new ChannelAdmin(channels, client, Duration.ofSeconds(30))) {
            channel = admin.create(1510001, "jar", ChannelKind.TIME_SERIES, "bk.jar", null, 0, -1, null);
        }

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path log = Files.createDirectories(Path.of("target", "gateway-jar-it")).resolve("gateway.log");
        Process process = new ProcessBuilder(java, "-Xmx256m", "-jar", jar.toString(),
                "--gateway.http-port", "0", "--gateway.flume-port", "0", "--gateway.io-threads", "1",
                "--kafka.bootstrap-servers", KAFKA.bootstrapServers(), "--kafka.topic", topic,
                "--channels.topic", channels,
                // a static channel (parsed without Flink) under the topic's record of the same data_id
                "--channels.static.1510001.token", STATIC_TOKEN, "--channels.static.1510001.max-future", "1 d")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            Matcher ready = waitForLine(log, READY, Duration.ofSeconds(40));
            int httpPort = Integer.parseInt(ready.group(1));
            int flumePort = Integer.parseInt(ready.group(2));
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (send(http, get(httpPort, "/healthz")).statusCode() != 200) {
                assertThat(System.nanoTime()).as("ready within 30 s").isLessThan(deadline);
                Thread.sleep(100);
            }
            String push = "{\"data_id\":1510001,\"access_token\":\"" + channel.token() + "\",\"data\":[{\"metrics\":"
                    + "{\"jar_metric\":1},\"target\":\"h\",\"timestamp\":1700000000000}]}";
            assertThat(send(http, post(httpPort, "/v2/push/", push.getBytes(StandardCharsets.UTF_8), false))
                    .statusCode()).isEqualTo(200);
            String gzipped = push.replace("jar_metric", "jar_gzip");
            assertThat(send(http, post(httpPort, "/v2/push/", gzip(gzipped), true)).statusCode()).isEqualTo(200);
            String wrongToken = push.replace(channel.token(), "x".repeat(32));
            assertThat(send(http, post(httpPort, "/v2/push/", wrongToken.getBytes(StandardCharsets.UTF_8), false))
                    .statusCode()).isEqualTo(401);
            String staticToken = push.replace(channel.token(), STATIC_TOKEN); // the topic's record wins
            assertThat(send(http, post(httpPort, "/v2/push/", staticToken.getBytes(StandardCharsets.UTF_8), false))
                    .statusCode()).isEqualTo(401);
            String put = "{\"metric\":\"jar.put\",\"timestamp\":1700000000,\"value\":1,\"tags\":{\"h\":\"a\"}}";
            assertThat(send(http, post(httpPort, "/api/put", put.getBytes(StandardCharsets.UTF_8), false))
                    .statusCode()).isEqualTo(204);
            String tbds = "{\"hostname\":\"h\",\"appid\":\"jar\",\"metricname\":\"m\",\"items\":{\"1700000000\":1}}";
            String envelope = "[{\"headers\":{},\"body\":\"" + tbds.replace("\"", "\\\"") + "\"}]";
            assertThat(send(http, post(flumePort, "/", envelope.getBytes(StandardCharsets.UTF_8), false))
                    .statusCode()).isEqualTo(200);
            HttpResponse<String> metrics = send(http, get(httpPort, "/metrics"));
            assertThat(metrics.body()).contains("gateway_records_produced_total{endpoint=\"v2_push\"} 2",
                    "gateway_records_produced_total{endpoint=\"flume\"} 1", "gateway_channels 1");

            assertThat(KAFKA.consumeAll(topic, 4, Duration.ofSeconds(30)))
                    .containsExactlyInAnyOrder(push, gzipped, put, tbds);
        } finally {
            process.destroy(); // SIGTERM: the shutdown hook closes the gateway
            boolean exited = process.waitFor(30, TimeUnit.SECONDS);
            if (!exited) {
                process.destroyForcibly();
            }
            assertThat(exited).as("exits on SIGTERM").isTrue();
        }
        List<String> output = Files.readAllLines(log);
        assertThat(output).as("exit code %s", process.exitValue())
                .anySatisfy(l -> assertThat(l).contains("gateway closed"));
        assertThat(output).noneSatisfy(l -> assertThat(l).containsAnyOf("NoClassDefFoundError",
                "ClassNotFoundException", "ERROR"));
    }

    /** The gateway's jar, or the job's (the project's main artifact). */
    private static Path jar(boolean gateway) throws IOException {
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(Path.of("target"), "tsdb-report-pipeline-*.jar")) {
            for (Path p : jars) {
                if (p.getFileName().toString().endsWith("-gateway.jar") == gateway) {
                    return p;
                }
            }
        }
        throw new AssertionError("no " + (gateway ? "gateway" : "job") + " jar in target/: run mvn package (verify"
                + " does)");
    }

    private static Matcher waitForLine(Path log, Pattern pattern, Duration timeout)
            throws InterruptedException, IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (String line : Files.readAllLines(log)) {
                Matcher m = pattern.matcher(line);
                if (m.find()) {
                    return m;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no ready line within " + timeout.toSeconds() + " s: " + Files.readString(log));
    }

    private static HttpRequest get(int port, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).GET().build();
    }

    private static HttpRequest post(int port, String path, byte[] body, boolean gzip) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (gzip) {
            b.header("Content-Encoding", "gzip");
        }
        return b.build();
    }

    private static HttpResponse<String> send(HttpClient http, HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static byte[] gzip(String s) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(s.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }
}
