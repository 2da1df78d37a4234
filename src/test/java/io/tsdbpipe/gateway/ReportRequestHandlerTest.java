package io.tsdbpipe.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The request handler's HTTP in an EmbeddedChannel (aggregator + handler, no socket): routing, size limits, gzip, the
 * answers of each endpoint, answering only after the acknowledgement. Admission and producer are in-memory here; the
 * real ones are in ReportGatewayITCase.
 */
class ReportRequestHandlerTest {

    private static final int MAX_BODY = 1024;
    private static final long MAX_DECOMPRESSED = 64 * 1024;

    private final List<byte[]> admittedBodies = new ArrayList<>();
    private final List<CompletableFuture<Void>> sends = new ArrayList<>();
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicBoolean kafkaReachable = new AtomicBoolean(true);
    private final AtomicBoolean channelsReady = new AtomicBoolean(true);
    private final GatewayMetrics metrics = new GatewayMetrics(pending::get, kafkaReachable::get, () -> 1);
    private int maxPending = 100;
    private EmbeddedChannel channel;

    /** Admits any body but "refuse-me", which is rate-limited; one datapoint per body byte. */
    private ReportAdmission admission = (endpoint, body) -> {
        if (new String(body, StandardCharsets.UTF_8).equals("refuse-me")) {
            throw new GatewayRejection(RejectionReason.RATE_LIMITED, "ratelimiter rejected the request: data_id 7");
        }
        admittedBodies.add(body);
        return new ReportAdmission.Admitted(List.of(new GatewayRecord(null, body, Map.of())), body.length);
    };

    private EmbeddedChannel channel(boolean flumePort) {
        RecordSender sender = records -> {
            CompletableFuture<Void> f = new CompletableFuture<>();
            sends.add(f);
            return f;
        };
        GatewayParts parts = new GatewayParts((e, b) -> admission.admit(e, b), sender, kafkaReachable::get,
                channelsReady::get, () -> 1, metrics, pending, maxPending, MAX_BODY, MAX_DECOMPRESSED, 3);
        channel = new EmbeddedChannel();
        ReportRequestHandler.addTo(channel.pipeline(), parts, flumePort);
        return channel;
    }

    @AfterEach
    void close() {
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void unknownPathsAre404InTheDialectOfTheirNeighbours() {
        EmbeddedChannel ch = channel(false);
        ch.writeInbound(post("/v3/push/", "{}"));
        assertAnswer(ch.readOutbound(), 404, "{\"code\":\"404\",\"result\":\"false\",\"message\":\"no such endpoint: /v3/push/\"}");
        ch.writeInbound(post("/api/query", "{}"));
        assertAnswer(ch.readOutbound(), 404, "{\"error\":{\"code\":404,\"message\":\"no such endpoint: /api/query\"}}");
        assertThat(admittedBodies).isEmpty();
    }

    @Test
    void wrongMethodIs405WithAllow() {
        EmbeddedChannel ch = channel(false);
        ch.writeInbound(request(HttpMethod.GET, "/v2/push/", ""));
        FullHttpResponse r = ch.readOutbound();
        assertAnswer(r, 405, "{\"code\":\"405\",\"result\":\"false\",\"message\":\"GET is not allowed here, use POST\"}");
        assertThat(r.headers().get(HttpHeaderNames.ALLOW)).isEqualTo("POST");
        ch.writeInbound(request(HttpMethod.POST, "/healthz", ""));
        FullHttpResponse health = ch.readOutbound();
        assertThat(health.status().code()).isEqualTo(405);
        assertThat(health.headers().get(HttpHeaderNames.ALLOW)).isEqualTo("GET");
        health.release();
        assertThat(metrics.render()).contains("gateway_requests_total{endpoint=\"v2_push\",status=\"405\"} 1",
                "gateway_rejected_total{endpoint=\"v2_push\",reason=\"method_not_allowed\"} 1");
    }

    @Test
    void answersOnlyWhenTheBrokerAcknowledged() {
        EmbeddedChannel ch = channel(false);
        ch.writeInbound(post("/v2/push/", "{\"data_id\":1}"));
        assertThat((Object) ch.readOutbound()).as("no answer before the acknowledgement").isNull();
        assertThat(pending.get()).isEqualTo(1);
        sends.get(0).complete(null);
        ch.runPendingTasks();
        assertAnswer(ch.readOutbound(), 200, "{\"code\":\"200\",\"result\":\"true\",\"message\":\"\"}");
        assertThat(pending.get()).isZero();
        assertThat(ch.isOpen()).as("keep-alive").isTrue();
        assertThat(metrics.render()).contains("gateway_records_produced_total{endpoint=\"v2_push\"} 1",
                "gateway_produce_latency_seconds_count{endpoint=\"v2_push\"} 1");
    }

    @Test
    void pipelinedAnswersLeaveInRequestOrder() {
        EmbeddedChannel ch = channel(false);
        ch.writeInbound(post("/api/put", "[1]"));
        ch.writeInbound(post("/api/put?summary", "[1,2]"));
        sends.get(1).complete(null);
        ch.runPendingTasks();
        assertThat((Object) ch.readOutbound()).as("the second waits for the first").isNull();
        sends.get(0).complete(null);
        ch.runPendingTasks();
        FullHttpResponse first = ch.readOutbound();
        assertThat(first.status().code()).isEqualTo(204);
        assertThat(first.headers().contains(HttpHeaderNames.CONTENT_LENGTH)).isFalse();
        first.release();
        assertAnswer(ch.readOutbound(), 200, "{\"success\":5,\"failed\":0}");
    }

    @Test
    void openTsdbDetailsAndErrorShapes() {
        EmbeddedChannel ch = channel(false);
        ch.writeInbound(post("/api/put?details", "[1,2]"));
        sends.get(0).complete(null);
        ch.runPendingTasks();
        assertAnswer(ch.readOutbound(), 200, "{\"success\":5,\"failed\":0,\"errors\":[]}");
        ch.writeInbound(post("/api/put", "[3]"));
        sends.get(1).completeExceptionally(new GatewayRejection(
                RejectionReason.KAFKA_UNAVAILABLE, "Kafka did not acknowledge the reports", 9));
        ch.runPendingTasks();
        FullHttpResponse r = ch.readOutbound();
        // the configured Retry-After, not the producer's own
        assertThat(r.headers().get(HttpHeaderNames.RETRY_AFTER)).isEqualTo("3");
        assertAnswer(r, 503, "{\"error\":{\"code\":503,\"message\":\"Kafka did not acknowledge the reports\"}}");
        assertThat(pending.get()).isZero();
    }

    @Test
    void refusalsOfTheAdmissionKeepTheirStatusAndCarryRetryAfterOn429() {
        EmbeddedChannel ch = channel(false);
        ch.writeInbound(post("/v2/push/", "refuse-me"));
        FullHttpResponse r = ch.readOutbound();
        assertThat(r.headers().get(HttpHeaderNames.RETRY_AFTER)).isEqualTo("3");
        assertAnswer(r, 429,
                "{\"code\":\"429\",\"result\":\"false\",\"message\":\"ratelimiter rejected the request: data_id 7\"}");
        assertThat(sends).isEmpty();
        assertThat(pending.get()).isZero();
    }

    @Test
    void unexpectedProducerFailureIs503NotAnAcceptance() {
        EmbeddedChannel ch = channel(false);
        ch.writeInbound(post("/v2/push/", "{}"));
        sends.get(0).completeExceptionally(new IllegalStateException("producer closed"));
        ch.runPendingTasks();
        FullHttpResponse r = ch.readOutbound();
        assertThat(r.headers().get(HttpHeaderNames.RETRY_AFTER)).isEqualTo("3");
        assertAnswer(r, 503, "{\"code\":\"503\",\"result\":\"false\",\"message\":\"Kafka did not acknowledge the reports\"}");
    }

    @Test
    void pendingRequestsAreBounded() {
        maxPending = 1;
        EmbeddedChannel ch = channel(false);
        ch.writeInbound(post("/v2/push/", "{\"a\":1}"));
        ch.writeInbound(post("/v2/push/", "{\"a\":2}"));
        sends.get(0).complete(null);
        ch.runPendingTasks();
        assertAnswer(ch.readOutbound(), 200, "{\"code\":\"200\",\"result\":\"true\",\"message\":\"\"}");
        FullHttpResponse r = ch.readOutbound();
        assertThat(r.headers().get(HttpHeaderNames.RETRY_AFTER)).isEqualTo("3");
        assertAnswer(r, 503, "{\"code\":\"503\",\"result\":\"false\",\"message\":"
                + "\"the gateway has 1 requests pending, retry later\"}");
        assertThat(sends).hasSize(1);
    }

    @Test
    void bodyOverTheLimitIs413AndTheConnectionServesTheNextRequest() {
        EmbeddedChannel ch = channel(false);
        HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/v2/push/");
        HttpUtil.setContentLength(head, MAX_BODY + 1);
        ch.writeInbound(head);
        assertAnswer(ch.readOutbound(), 413, "{\"code\":\"413\",\"result\":\"false\",\"message\":"
                + "\"request body larger than 1024 bytes (gateway.max-body-size)\"}");
        // the announced body is skipped, the connection stays usable
        ch.writeInbound(new DefaultLastHttpContent(Unpooled.wrappedBuffer(new byte[MAX_BODY + 1])));
        assertThat(ch.isOpen()).isTrue();
        ch.writeInbound(post("/v2/push/", "{}"));
        sends.get(0).complete(null);
        ch.runPendingTasks();
        assertAnswer(ch.readOutbound(), 200, "{\"code\":\"200\",\"result\":\"true\",\"message\":\"\"}");
        assertThat(metrics.render()).contains("gateway_rejected_total{endpoint=\"v2_push\",reason=\"body_too_large\"} 1");
    }

    @Test
    void chunkedBodyOverTheLimitIs413AndCloses() {
        EmbeddedChannel ch = channel(false);
        HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/api/put");
        HttpUtil.setTransferEncodingChunked(head, true);
        ch.writeInbound(head);
        ch.writeInbound(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[MAX_BODY])));
        ch.writeInbound(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[10])));
        FullHttpResponse r = ch.readOutbound();
        assertThat(r.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("close");
        assertAnswer(r, 413, "{\"error\":{\"code\":413,\"message\":"
                + "\"request body larger than 1024 bytes (gateway.max-body-size)\"}}");
        ch.runPendingTasks();
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void expectContinueOfAnOversizedBodyIsRefusedBeforeItIsSent() {
        EmbeddedChannel ch = channel(true);
        HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/");
        HttpUtil.setContentLength(head, MAX_BODY * 10);
        head.headers().set(HttpHeaderNames.EXPECT, HttpHeaderValues.CONTINUE);
        ch.writeInbound(head);
        FullHttpResponse r = ch.readOutbound();
        assertAnswer(r, 413, "request body larger than 1024 bytes (gateway.max-body-size)\n");
        assertThat(r.headers().get(HttpHeaderNames.CONTENT_TYPE)).startsWith("text/plain");
        assertThat(metrics.render()).contains("gateway_rejected_total{endpoint=\"flume\",reason=\"body_too_large\"} 1");

        EmbeddedChannel small = channel(true);
        HttpRequest fits = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/");
        HttpUtil.setContentLength(fits, 2);
        fits.headers().set(HttpHeaderNames.EXPECT, HttpHeaderValues.CONTINUE);
        small.writeInbound(fits);
        HttpResponse cont = small.readOutbound();
        assertThat(cont.status().code()).isEqualTo(100);
        small.finishAndReleaseAll();
    }

    @Test
    void gzipBodiesAreInflatedBeforeAdmission() throws IOException {
        EmbeddedChannel ch = channel(true);
        byte[] report = "{\"hostname\":\"h\",\"appid\":\"a\"}".getBytes(StandardCharsets.UTF_8);
        ch.writeInbound(gzipPost("/", gzip(report)));
        assertThat(admittedBodies).hasSize(1);
        assertThat(admittedBodies.get(0)).isEqualTo(report);
        sends.get(0).complete(null);
        ch.runPendingTasks();
        FullHttpResponse r = ch.readOutbound();
        assertThat(r.status().code()).isEqualTo(200);
        assertThat(r.content().readableBytes()).as("Flume answers 200 with an empty body").isZero();
        r.release();
        assertThat(metrics.render()).contains("gateway_request_bytes_total{endpoint=\"flume\"} " + gzip(report).length);
    }

    @Test
    void gzipBombIsRefusedWithoutInflatingItWhole() throws IOException {
        EmbeddedChannel ch = channel(false);
        // 512 KB of zeros: about 500 bytes on the wire, well within the body limit
        byte[] small = gzip(new byte[512 * 1024]);
        assertThat(small.length).isLessThanOrEqualTo(MAX_BODY);
        ch.writeInbound(gzipPost("/v2/push/", small));
        assertAnswer(ch.readOutbound(), 413, "{\"code\":\"413\",\"result\":\"false\",\"message\":"
                + "\"gzip body inflates to more than 65536 bytes (gateway.max-decompressed-size)\"}");
        assertThat(admittedBodies).isEmpty();
        assertThat(pending.get()).isZero();
    }

    @Test
    void truncatedOrCorruptGzipIs400BadGzip() throws IOException {
        EmbeddedChannel ch = channel(false);
        byte[] whole = gzip("{\"data_id\":1500001,\"data\":[]}".getBytes(StandardCharsets.UTF_8));
        ch.writeInbound(gzipPost("/v2/push/", Arrays.copyOf(whole, whole.length - 6)));
        FullHttpResponse truncated = ch.readOutbound();
        assertThat(truncated.status().code()).isEqualTo(400);
        assertThat(truncated.content().toString(StandardCharsets.UTF_8)).contains("corrupt gzip body");
        truncated.release();
        ch.writeInbound(gzipPost("/api/put", "not gzip at all".getBytes(StandardCharsets.UTF_8)));
        FullHttpResponse corrupt = ch.readOutbound();
        assertThat(corrupt.status().code()).isEqualTo(400);
        assertThat(corrupt.content().toString(StandardCharsets.UTF_8))
                .startsWith("{\"error\":{\"code\":400,\"message\":\"corrupt gzip body: ");
        corrupt.release();
        assertThat(admittedBodies).isEmpty();
        assertThat(metrics.render()).contains("gateway_rejected_total{endpoint=\"v2_push\",reason=\"bad_gzip\"} 1",
                "gateway_rejected_total{endpoint=\"api_put\",reason=\"bad_gzip\"} 1");
    }

    @Test
    void unsupportedContentEncodingIs415() {
        EmbeddedChannel ch = channel(true);
        FullHttpRequest r = post("/", "{}");
        r.headers().set(HttpHeaderNames.CONTENT_ENCODING, "br");
        ch.writeInbound(r);
        assertAnswer(ch.readOutbound(), 415, "unsupported Content-Encoding 'br': send the body as is or gzip-compressed\n");
    }

    @Test
    void healthNamesWhatIsMissing() {
        EmbeddedChannel ch = channel(false);
        ch.writeInbound(request(HttpMethod.GET, "/healthz", ""));
        assertAnswer(ch.readOutbound(), 200,
                "{\"status\":\"ready\",\"kafka_reachable\":true,\"channels_loaded\":true,\"channels\":1}");
        kafkaReachable.set(false);
        ch.writeInbound(request(HttpMethod.GET, "/healthz", ""));
        assertAnswer(ch.readOutbound(), 503, "{\"status\":\"not_ready\",\"kafka_reachable\":false,"
                + "\"channels_loaded\":true,\"channels\":1,\"missing\":[\"kafka: the brokers did not answer recently\"]}");
    }

    @Test
    void metricsPageIsTheExpositionText() {
        EmbeddedChannel ch = channel(false);
        ch.writeInbound(post("/v2/push/", "refuse-me"));
        ((FullHttpResponse) ch.readOutbound()).release();
        ch.writeInbound(request(HttpMethod.GET, "/metrics", ""));
        FullHttpResponse r = ch.readOutbound();
        assertThat(r.status().code()).isEqualTo(200);
        assertThat(r.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo(GatewayMetrics.CONTENT_TYPE);
        assertThat(r.content().toString(StandardCharsets.UTF_8))
                .contains("gateway_requests_total{endpoint=\"v2_push\",status=\"429\"} 1\n");
        r.release();
    }

    @Test
    void connectionCloseIsHonoured() {
        EmbeddedChannel ch = channel(true);
        FullHttpRequest r = post("/anything", "{}");
        HttpUtil.setKeepAlive(r, false);
        ch.writeInbound(r);
        sends.get(0).complete(null);
        ch.runPendingTasks();
        FullHttpResponse answer = ch.readOutbound();
        assertThat(answer.status().code()).isEqualTo(200);
        assertThat(answer.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("close");
        answer.release();
        assertThat(ch.isOpen()).isFalse();
    }

    // ---- helpers

    private static FullHttpRequest post(String uri, String body) {
        return request(HttpMethod.POST, uri, body);
    }

    private static FullHttpRequest request(HttpMethod method, String uri, String body) {
        return bytesRequest(method, uri, body.getBytes(StandardCharsets.UTF_8));
    }

    private static FullHttpRequest gzipPost(String uri, byte[] gz) {
        FullHttpRequest r = bytesRequest(HttpMethod.POST, uri, gz);
        r.headers().set(HttpHeaderNames.CONTENT_ENCODING, HttpHeaderValues.GZIP);
        return r;
    }

    private static FullHttpRequest bytesRequest(HttpMethod method, String uri, byte[] body) {
        ByteBuf content = Unpooled.wrappedBuffer(body);
        FullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri, content);
        HttpUtil.setContentLength(r, body.length);
        return r;
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    private static void assertAnswer(Object response, int status, String body) {
        assertThat(response).isInstanceOf(FullHttpResponse.class);
        FullHttpResponse r = (FullHttpResponse) response;
        try {
            assertThat(r.status().code()).isEqualTo(status);
            assertThat(r.content().toString(StandardCharsets.UTF_8)).isEqualTo(body);
            assertThat(r.headers().getInt(HttpHeaderNames.CONTENT_LENGTH)).isEqualTo(r.content().readableBytes());
            if (status != 429 && status != 503) {
                assertThat(r.headers().contains(HttpHeaderNames.RETRY_AFTER)).isFalse();
            }
        } finally {
            r.release();
        }
    }
}
