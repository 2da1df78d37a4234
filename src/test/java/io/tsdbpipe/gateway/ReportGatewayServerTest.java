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
        GatewaySettings settings = GatewaySettings.of(Map.of(
                "gateway.http-port", "0", "gateway.flume-port", "0", "gateway.io-threads", "1",
                "gateway.max-body-size", "2 kb", "gateway.max-decompressed-size", "16 kb",
                "kafka.ack-timeout", "5 s"));
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
        GatewayParts parts = new GatewayParts(admission, sender, () -> true, () -> true, () -> 0, metrics, pending,
                settings.maxPendingRequests(), settings.maxBodySize(), settings.maxDecompressedSize(),
                settings.retryAfterSeconds());
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

    private HttpResponse<String> post(int port, String path, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(uri(port, path)).timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(int port, String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }
}
