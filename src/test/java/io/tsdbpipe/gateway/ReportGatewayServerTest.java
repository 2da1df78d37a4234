package io.tsdbpipe.gateway;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Netty server over real sockets with Java's HTTP client (codec, keep-alive, Expect: 100-continue, ephemeral
 * ports, draining on close), with an in-memory admission and producer; with Kafka: ReportGatewayITCase.
 */
class ReportGatewayServerTest {

    private final List<byte[]> produced = new CopyOnWriteArrayList<>();
    private final LinkedBlockingQueue<CompletableFuture<Void>> held = new LinkedBlockingQueue<>();
    private final AtomicBoolean holdAcks = new AtomicBoolean();
    private final AtomicInteger pending = new AtomicInteger();
    private final GatewayMetrics metrics = new GatewayMetrics(pending::get, () -> true, () -> 0);
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private ReportGateway gateway;

    @BeforeEach
    void start() throws IOException {
        start(Map.of());
    }

    /** (Re)starts the gateway with these keys on top of the test's. */
    private void start(Map<String, String> extra) throws IOException {
        if (gateway != null) {
            gateway.close();
        }
        Map<String, String> conf = new HashMap<>(Map.of(
                "gateway.http-port", "0", "gateway.flume-port", "0", "gateway.io-threads", "1",
                "gateway.max-body-size", "2 kb", "gateway.max-decompressed-size", "16 kb",
                "kafka.ack-timeout", "5 s"));
        conf.putAll(extra);
        GatewaySettings settings = GatewaySettings.of(conf);
        ReportAdmission admission = (endpoint, body) ->
                new ReportAdmission.Admitted(List.of(new GatewayRecord(null, body, Map.of())), 1);
        RecordSender sender = records -> {
            CompletableFuture<Void> f = new CompletableFuture<>();
            f.thenRun(() -> records.forEach(r -> produced.add(r.value())));
            if (holdAcks.get()) {
                held.add(f);
            } else {
                f.complete(null);
            }
            return f;
        };
        GatewayParts parts = GatewayParts.of(settings, admission, sender, () -> true, () -> true, () -> 0, metrics,
                pending);
        gateway = ReportGateway.serve(settings, parts, List.of());
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    @Test
    void bothPortsAreEphemeralAndAnswerInTheirDialect() throws Exception {
        assertThat(gateway.httpPort()).isPositive().isNotEqualTo(10205);
        assertThat(gateway.flumePort()).isPositive().isNotEqualTo(gateway.httpPort());
        HttpResponse<String> push = post(gateway.httpPort(), "/v2/push/", "{\"data_id\":1}");
        assertThat(push.statusCode()).isEqualTo(200);
        assertThat(push.body()).isEqualTo("{\"code\":\"200\",\"result\":\"true\",\"message\":\"\"}");
        assertThat(push.headers().firstValue("content-type")).hasValue("application/json; charset=UTF-8");
        HttpResponse<String> flume = post(gateway.flumePort(), "/", "[{\"headers\":{},\"body\":\"{}\"}]");
        assertThat(flume.statusCode()).isEqualTo(200);
        assertThat(flume.body()).isEmpty();
        HttpResponse<String> put = post(gateway.httpPort(), "/api/put", "{}");
        assertThat(put.statusCode()).isEqualTo(204);
        assertThat(produced).hasSize(3);
    }

    @Test
    void oversizedBodiesAre413WithOrWithoutExpectContinue() throws Exception {
        String big = "x".repeat(3000);
        HttpResponse<String> r = post(gateway.httpPort(), "/v2/push/", big);
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(r.body()).isEqualTo("{\"code\":\"413\",\"result\":\"false\",\"message\":"
                + "\"request body larger than 2048 bytes (gateway.max-body-size)\"}");
        // Expect: 100-continue (a raw socket: Java 17's client waits forever for a 100 that a refusal replaces)
        try (Socket socket = new Socket("127.0.0.1", gateway.httpPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("POST /api/put HTTP/1.1\r\nHost: x\r\nContent-Length: 3000\r\n"
                    + "Expect: 100-continue\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 413 Request Entity Too Large\r\n")
                    .contains("\r\nconnection: close\r\n")
                    .endsWith("\r\n\r\n{\"error\":{\"code\":413,\"message\":"
                            + "\"request body larger than 2048 bytes (gateway.max-body-size)\"}}");
        }
        // the connection (or a new one) still serves
        assertThat(post(gateway.httpPort(), "/v2/push/", "{}").statusCode()).isEqualTo(200);
        assertThat(produced).hasSize(1);
    }

    @Test
    void gzipBodyIsProducedDecompressed() throws Exception {
        byte[] report = "{\"metric\":\"m\",\"timestamp\":1,\"value\":1,\"tags\":{\"h\":\"a\"}}"
                .getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(report);
        }
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri(gateway.httpPort(), "/api/put?summary")).timeout(Duration.ofSeconds(10))
                .header("Content-Encoding", "gzip").POST(HttpRequest.BodyPublishers.ofByteArray(gz.toByteArray()))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"success\":1,\"failed\":0}");
        assertThat(produced).containsExactly(report);
    }

    @Test
    void closeAnswersPendingRequestsFirst() throws Exception {
        holdAcks.set(true);
        CompletableFuture<HttpResponse<String>> answer = client.sendAsync(
                HttpRequest.newBuilder(uri(gateway.httpPort(), "/v2/push/")).POST(
                        HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        CompletableFuture<Void> ack = held.poll(10, TimeUnit.SECONDS);
        assertThat(ack).as("the request reached the producer").isNotNull();
        CompletableFuture<Void> closing = CompletableFuture.runAsync(gateway::close);
        // the gateway waits for the acknowledgement before it closes the connections
        assertThat(answer).isNotDone();
        ack.complete(null);
        assertThat(answer.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        closing.get(10, TimeUnit.SECONDS);
    }

    @Test
    void idleConnectionsAreClosed() throws Exception {
        start(Map.of("gateway.idle-timeout", "1 s"));
        try (Socket socket = new Socket("127.0.0.1", gateway.httpPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(answer).as("answered, then closed when idle").startsWith("HTTP/1.1 200 OK\r\n");
        }
    }

    @Test
    void aTrickledRequestIs408AndClosed() throws Exception {
        start(Map.of("gateway.request-timeout", "1 s"));
        try (Socket socket = new Socket("127.0.0.1", gateway.httpPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("POST /v2/push/ HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{")
                    .getBytes(StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 408 Request Timeout\r\n").contains("\r\nconnection: close\r\n")
                    .endsWith("{\"code\":\"408\",\"result\":\"false\",\"message\":"
                            + "\"the request did not arrive whole within 1000 ms (gateway.request-timeout)\"}");
        }
        // headers trickled without an end: no request head ever reaches the handler, the deadline holds anyway
        try (Socket socket = new Socket("127.0.0.1", gateway.httpPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("POST /v2/push/ HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 408 Request Timeout\r\n");
        }
        assertThat(produced).isEmpty();
    }

    @Test
    void connectionsOverTheLimitAreClosedAtOnce() throws Exception {
        start(Map.of("gateway.max-connections", "2"));
        try (Socket a = new Socket("127.0.0.1", gateway.httpPort());
                Socket b = new Socket("127.0.0.1", gateway.flumePort())) {
            // both are served (the limit counts them once they are set up)
            for (Socket s : List.of(a, b)) {
                s.setSoTimeout(10_000);
                s.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(s.getInputStream().read()).isEqualTo('H');
            }
            try (Socket c = new Socket("127.0.0.1", gateway.httpPort())) {
                c.setSoTimeout(10_000);
                assertThat(c.getInputStream().read()).as("closed without an answer").isEqualTo(-1);
            }
            assertThat(metrics.render()).contains("gateway_connections_refused_total 1");
        }
        // once one closed, a new connection is served
        assertThat(post(gateway.httpPort(), "/v2/push/", "{}").statusCode()).isEqualTo(200);
    }

    @Test
    void aClientThatDoesNotReadItsAnswersIsNotRead() throws Exception {
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(4096);
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", gateway.httpPort()));
            socket.setSoTimeout(10_000);
            byte[] request = "POST /v2/push/ HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"
                    .getBytes(StandardCharsets.US_ASCII);
            int total = 200_000;
            AtomicInteger written = new AtomicInteger();
            Thread writer = new Thread(() -> {
                try {
                    for (int i = 0; i < total; i++) {
                        socket.getOutputStream().write(request);
                        written.incrementAndGet();
                    }
                } catch (IOException e) {
                    // closed at the end of the test
                }
            }, "never-reading-client");
            writer.setDaemon(true);
            writer.start();
            // the server stops reading: the client's writes block, far from all requests taken
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            int last = -1;
            long stableSince = System.nanoTime();
            while (writer.isAlive() && System.nanoTime() < deadline) {
                int now = produced.size();
                if (now != last) {
                    last = now;
                    stableSince = System.nanoTime();
                } else if (System.nanoTime() - stableSince > TimeUnit.SECONDS.toNanos(2)) {
                    break;
                }
                Thread.sleep(50);
            }
            assertThat(writer.isAlive()).as("the client's writes block").isTrue();
            assertThat(produced.size()).as("requests taken from a client that reads nothing").isLessThan(total / 2);
        }
    }

    @Test
    void closeRefusesNewRequestsOnOpenConnections() throws Exception {
        holdAcks.set(true);
        try (Socket busy = new Socket("127.0.0.1", gateway.httpPort());
                Socket idle = new Socket("127.0.0.1", gateway.flumePort())) {
            busy.setSoTimeout(10_000);
            idle.setSoTimeout(10_000);
            idle.getOutputStream().write("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"
                    .getBytes(StandardCharsets.US_ASCII));
            CompletableFuture<Void> first = held.poll(10, TimeUnit.SECONDS);
            first.complete(null);
            assertThat(new String(idle.getInputStream().readNBytes(17), StandardCharsets.US_ASCII))
                    .isEqualTo("HTTP/1.1 200 OK\r\n");
            busy.getOutputStream().write("POST /v2/push/ HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"
                    .getBytes(StandardCharsets.US_ASCII));
            CompletableFuture<Void> ack = held.poll(10, TimeUnit.SECONDS);
            CompletableFuture<Void> closing = CompletableFuture.runAsync(gateway::close);
            // the idle keep-alive connection is closed; the busy one gets its answer with Connection: close
            idle.getInputStream().readAllBytes();
            ack.complete(null);
            String answer = new String(busy.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 200 OK\r\n").contains("\r\nconnection: close\r\n");
            closing.get(10, TimeUnit.SECONDS);
        }
    }

    private HttpResponse<String> post(int port, String path, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(uri(port, path)).timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(int port, String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }
}
