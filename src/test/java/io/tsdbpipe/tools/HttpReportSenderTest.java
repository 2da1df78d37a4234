package io.tsdbpipe.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * loadgen's HTTP mode against a JDK HTTP server standing in for the gateway: what reaches the server is exactly the
 * reports of the stream (in Flume envelopes on the Flume port), 429/503 are retried after Retry-After, and a refusal
 * ends the run with exit code 1 and its answer.
 */
class HttpReportSenderTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private HttpServer server;
    private final List<String> bodies = Collections.synchronizedList(new ArrayList<>());
    private final List<String> paths = Collections.synchronizedList(new ArrayList<>());

    /** Starts the server; {@code statusOfRequest} maps the request number (from 0) to the answer's status. */
    private URI serve(String path, IntUnaryOperator statusOfRequest) throws IOException {
        AtomicInteger n = new AtomicInteger();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", (HttpExchange ex) -> {
            bodies.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            paths.add(ex.getRequestURI().getPath());
            int status = statusOfRequest.applyAsInt(n.getAndIncrement());
            byte[] answer = status == 200 ? new byte[0]
                    : ("{\"code\":\"" + status + "\",\"result\":\"false\",\"message\":\"no\"}").getBytes(StandardCharsets.UTF_8);
            if (status == 429 || status == 503) {
                ex.getResponseHeaders().add("Retry-After", "1");
            }
            ex.sendResponseHeaders(status, answer.length == 0 ? -1 : answer.length);
            ex.getResponseBody().write(answer);
            ex.close();
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private static LoadGenerator.Plan plan(String format) {
        return LoadGenerator.plan(new LoadGenerator.Options(List.of(format), 10, 5, 1, 1_600_000_000L, 10));
    }

    private static List<String> reports(String format, int count) {
        LoadGenerator.Plan plan = plan(format);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(plan.next().json());
        }
        return out;
    }

    private static HttpReportSender.Settings settings(URI url, int connections, int flumeBatch) {
        return new HttpReportSender.Settings(url, HttpReportSender.Body.forUrl(url), connections, flumeBatch, 3,
                Duration.ofSeconds(10));
    }

    @Test
    void theFlumePortGetsEveryReportOnceInEnvelopes() throws Exception {
        URI url = serve("/", i -> 200);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = HttpReportSender.run(settings(url, 3, 2), plan("tbds"), 0, 9, -1, null, true,
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(rc).isZero();
        // 9 reports, 2 per envelope: 5 requests
        assertThat(bodies).hasSize(5);
        List<String> received = new ArrayList<>();
        for (String body : bodies) {
            JsonNode envelope = JSON.readTree(body);
            assertThat(envelope.isArray()).isTrue();
            for (JsonNode event : envelope) {
                assertThat(event.get("headers").isObject()).isTrue();
                received.add(event.get("body").asText());
            }
        }
        assertThat(received).containsExactlyInAnyOrderElementsOf(reports("tbds", 9));
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("5 requests to " + url)
                .contains("9 reports (45 datapoints) accepted, 0 failed")
                .contains("answers by status: 200: 5");
    }

    @Test
    void theBlueKingEndpointGetsTheReportsThemselvesAndOverloadIsRetriedAfterRetryAfter() throws Exception {
        // the second request is answered 429, the third 503: each is sent again, a second later
        URI url = serve("/v2/push/", i -> i == 1 ? 429 : i == 2 ? 503 : 200);
        Path expected = Files.createTempFile("loadgen-expected", ".jsonl");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        long start = System.nanoTime();
        int rc = HttpReportSender.run(settings(url, 1, 1), plan("blueking-events"), 0, 4, -1, expected, true,
                new PrintStream(err, true, StandardCharsets.UTF_8));
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(rc).isZero();
        assertThat(paths).containsOnly("/v2/push/");
        List<String> sent = reports("blueking-events", 4);
        // one connection: in order; the refused ones twice
        assertThat(bodies).containsExactly(sent.get(0), sent.get(1), sent.get(1), sent.get(1), sent.get(2),
                sent.get(3));
        assertThat(seconds).isGreaterThanOrEqualTo(2.0); // two Retry-After: 1
        assertThat(Files.readAllLines(expected)).hasSize(20)
                .allSatisfy(line -> assertThat(line).startsWith("{\"metric\":\"bk.loadgen.events\"").contains("\"value\":1,"));
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("4 reports (20 datapoints) accepted, 0 failed, 2 retried requests")
                .contains("answers by status: 200: 4, 429: 1, 503: 1");
    }

    @Test
    void aRefusedReportEndsTheRunWithItsAnswer() throws Exception {
        URI url = serve("/api/put", i -> i == 2 ? 400 : 200);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = HttpReportSender.run(settings(url, 1, 1), plan("opentsdb"), 0, 100, -1, null, true,
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(rc).isEqualTo(1);
        assertThat(bodies).hasSize(3).containsExactlyElementsOf(reports("opentsdb", 3));
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("2 reports (10 datapoints) accepted, 1 failed")
                .contains("1 reports were not accepted by " + url + ": 400 {\"code\":\"400\"");
    }

    @Test
    void retryAfterIsReadInSeconds() {
        assertThat(HttpReportSender.retryAfterMillis("2")).isEqualTo(2000);
        assertThat(HttpReportSender.retryAfterMillis(" 0 ")).isZero();
        assertThat(HttpReportSender.retryAfterMillis(null)).isEqualTo(1000);
        assertThat(HttpReportSender.retryAfterMillis("Wed, 21 Oct 2015 07:28:00 GMT")).isEqualTo(1000);
    }

    @Test
    void theBodyFollowsTheUrl() {
        assertThat(HttpReportSender.Body.forUrl(URI.create("http://h:10205/v2/push/"))).isEqualTo(HttpReportSender.Body.REPORT);
        assertThat(HttpReportSender.Body.forUrl(URI.create("http://h:10205/api/put?details"))).isEqualTo(HttpReportSender.Body.REPORT);
        assertThat(HttpReportSender.Body.forUrl(URI.create("http://h:7777"))).isEqualTo(HttpReportSender.Body.FLUME);
        assertThat(HttpReportSender.flumeEnvelope(List.of("{\"a\":\"x\\\"y\"}")))
                .isEqualTo("[{\"headers\":{},\"body\":\"{\\\"a\\\":\\\"x\\\\\\\"y\\\"}\"}]");
    }
}
