package io.tsdbpipe.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderResult;
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
import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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
    private static final int MAX_QUEUED = 8;

    private final List<byte[]> admittedBodies = new ArrayList<>();
    private final List<CompletableFuture<Void>> sends = new ArrayList<>();
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicBoolean kafkaReachable = new AtomicBoolean(true);
    private final AtomicBoolean channelsReady = new AtomicBoolean(true);
    private final GatewayMetrics metrics = new GatewayMetrics(pending::get, kafkaReachable::get, () -> 1);
    private int maxPending = 100;
    private long maxPendingBytes = 1 << 20;
    private final AtomicBoolean draining = new AtomicBoolean();
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
                channelsReady::get, () -> 1, metrics, pending, maxPending, MAX_BODY, MAX_DECOMPRESSED, 3,
                new AtomicLong(), maxPendingBytes, MAX_QUEUED, Duration.ofSeconds(30), draining);
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

    @Test
    void stopsReadingWhileTooManyAnswersAreOutstandingAndResumesWhenDrained() {
        EmbeddedChannel ch = channel(false);
        for (int i = 0; i < MAX_QUEUED - 1; i++) {
            ch.writeInbound(post("/v2/push/", "{}"));
        }
        assertThat(ch.config().isAutoRead()).isTrue();
        ch.writeInbound(post("/v2/push/", "{}"));
        assertThat(ch.config().isAutoRead()).as("a client that does not wait for its answers is not read").isFalse();
        sends.forEach(f -> f.complete(null));
        ch.runPendingTasks();
        for (int i = 0; i < MAX_QUEUED; i++) {
            assertAnswer(ch.readOutbound(), 200, "{\"code\":\"200\",\"result\":\"true\",\"message\":\"\"}");
        }
        assertThat(ch.config().isAutoRead()).as("read again once answered").isTrue();
    }

    @Test
    void stopsReadingWhileTheClientDoesNotTakeItsAnswers() {
        EmbeddedChannel ch = channel(false);
        assertThat(ch.config().isAutoRead()).isTrue();
        ch.unsafe().outboundBuffer().setUserDefinedWritability(1, false); // as past the high water mark
        ch.runPendingTasks(); // Netty tells the pipeline later
        assertThat(ch.isWritable()).isFalse();
        assertThat(ch.config().isAutoRead()).isFalse();
        ch.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
        ch.runPendingTasks();
        assertThat(ch.config().isAutoRead()).isTrue();
    }

    @Test
    void theAcknowledgementWaitsWithoutHoldingTheRecords() throws InterruptedException {
        List<WeakReference<byte[]>> bodies = new ArrayList<>();
        admission = (endpoint, body) -> {
            bodies.add(new WeakReference<>(body));
            return new ReportAdmission.Admitted(List.of(new GatewayRecord(null, body, Map.of())), 1);
        };
        EmbeddedChannel ch = channel(false);
        ch.writeInbound(post("/v2/push/", "{\"data_id\":1,\"data\":[]}"));
        assertThat(sends).hasSize(1);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (bodies.get(0).get() != null && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(10);
        }
        assertThat(bodies.get(0).get()).as("the decompressed body is not kept while the broker acknowledges").isNull();
        sends.get(0).complete(null);
        ch.runPendingTasks();
        assertAnswer(ch.readOutbound(), 200, "{\"code\":\"200\",\"result\":\"true\",\"message\":\"\"}");
    }

    @Test
    void pendingBytesAreBounded() {
        maxPendingBytes = 10;
        EmbeddedChannel ch = channel(false);
        ch.writeInbound(post("/v2/push/", "{\"a\":1}")); // 7 bytes, pending
        ch.writeInbound(post("/v2/push/", "{\"a\":2}"));
        assertThat(sends).hasSize(1);
        sends.get(0).complete(null);
        ch.runPendingTasks();
        ((FullHttpResponse) ch.readOutbound()).release();
        FullHttpResponse r = ch.readOutbound();
        assertThat(r.headers().get(HttpHeaderNames.RETRY_AFTER)).isEqualTo("3");
        assertAnswer(r, 503, "{\"code\":\"503\",\"result\":\"false\",\"message\":"
                + "\"the gateway has 10 bytes of requests pending, retry later\"}");
        ch.writeInbound(post("/v2/push/", "{\"a\":3}"));
        assertThat(sends).as("the budget is given back on the acknowledgement").hasSize(2);
    }

    @Test
    void expectationWaitsForTheAnswersOfEarlierRequests() {
        EmbeddedChannel ch = channel(false);
        ch.writeInbound(post("/v2/push/", "{\"a\":1}"));
        HttpRequest big = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/v2/push/");
        HttpUtil.setContentLength(big, MAX_BODY * 10);
        big.headers().set(HttpHeaderNames.EXPECT, HttpHeaderValues.CONTINUE);
        ch.writeInbound(big);
        assertThat((Object) ch.readOutbound()).as("no 413 ahead of the first request's answer").isNull();
        assertThat(ch.config().isAutoRead()).isFalse();
        assertThat(ch.isOpen()).isTrue();
        sends.get(0).complete(null);
        ch.runPendingTasks();
        assertAnswer(ch.readOutbound(), 200, "{\"code\":\"200\",\"result\":\"true\",\"message\":\"\"}");
        FullHttpResponse r = ch.readOutbound();
        assertThat(r.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("close");
        assertAnswer(r, 413, "{\"code\":\"413\",\"result\":\"false\",\"message\":"
                + "\"request body larger than 1024 bytes (gateway.max-body-size)\"}");

        EmbeddedChannel small = channel(false);
        small.writeInbound(post("/v2/push/", "{\"a\":2}"));
        HttpRequest fits = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/v2/push/");
        HttpUtil.setContentLength(fits, 2);
        fits.headers().set(HttpHeaderNames.EXPECT, HttpHeaderValues.CONTINUE);
        small.writeInbound(fits);
        assertThat((Object) small.readOutbound()).as("no 100 Continue ahead of the first answer").isNull();
        sends.get(1).complete(null);
        small.runPendingTasks();
        assertAnswer(small.readOutbound(), 200, "{\"code\":\"200\",\"result\":\"true\",\"message\":\"\"}");
        HttpResponse cont = small.readOutbound();
        assertThat(cont.status().code()).isEqualTo(100);
        assertThat(small.config().isAutoRead()).isTrue();
        small.writeInbound(new DefaultLastHttpContent(Unpooled.wrappedBuffer("{}".getBytes(StandardCharsets.UTF_8))));
        assertThat(sends).as("the body came after the 100 and was taken").hasSize(3);
        small.finishAndReleaseAll();
    }

    @Test
    void requestsAfterConnectionCloseOrAMalformedRequestAreNotProcessed() {
        EmbeddedChannel ch = channel(false);
        FullHttpRequest last = post("/v2/push/", "{\"a\":1}");
        HttpUtil.setKeepAlive(last, false);
        ch.writeInbound(last);
        ch.writeInbound(post("/v2/push/", "{\"a\":2}"));
        assertThat(admittedBodies).hasSize(1);
        assertThat(sends).hasSize(1);

        EmbeddedChannel malformed = channel(false);
        FullHttpRequest bad = post("/v2/push/", "{}");
        bad.setDecoderResult(DecoderResult.failure(new IllegalArgumentException("bad header")));
        malformed.writeInbound(bad, post("/v2/push/", "{\"a\":3}")); // in one read, as a pipelining client's
        assertAnswer(malformed.readOutbound(), 400, "malformed HTTP request\n");
        assertThat(admittedBodies).as("nothing after the malformed request").hasSize(1);
        malformed.finishAndReleaseAll();
    }

    @Test
    void drainingRefusesNewRequestsAndClosesAfterTheLastAnswer() {
        EmbeddedChannel ch = channel(false);
        ch.writeInbound(post("/v2/push/", "{\"a\":1}"));
        draining.set(true);
        ch.pipeline().fireUserEventTriggered(ReportRequestHandler.DRAIN);
        assertThat(ch.isOpen()).as("its answer is outstanding").isTrue();
        sends.get(0).complete(null);
        ch.runPendingTasks();
        FullHttpResponse r = ch.readOutbound();
        assertThat(r.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("close");
        assertAnswer(r, 200, "{\"code\":\"200\",\"result\":\"true\",\"message\":\"\"}");
        ch.runPendingTasks();
        assertThat(ch.isOpen()).isFalse();

        EmbeddedChannel open = channel(true);
        open.writeInbound(post("/", "{}"));
        FullHttpResponse refused = open.readOutbound();
        assertThat(refused.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("close");
        assertThat(refused.headers().get(HttpHeaderNames.RETRY_AFTER)).isEqualTo("3");
        assertAnswer(refused, 503, "the gateway is shutting down, retry on a new connection\n");
        assertThat(sends).hasSize(1);
        assertThat(metrics.render()).contains("gateway_rejected_total{endpoint=\"flume\",reason=\"shutting_down\"} 1");
        open.runPendingTasks();
        assertThat(open.isOpen()).isFalse();
    }

    @Test
    void aRequestNotArrivedWholeInTimeIs408AfterTheEarlierAnswers() {
        EmbeddedChannel ch = channel(false);
        ch.freezeTime();
        ch.writeInbound(post("/api/put", "[1]"));
        HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/api/put");
        HttpUtil.setContentLength(head, 100);
        ch.writeInbound(head);
        ch.writeInbound(new DefaultHttpContent(Unpooled.wrappedBuffer("[".getBytes(StandardCharsets.UTF_8))));
        ch.advanceTimeBy(29, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat((Object) ch.readOutbound()).isNull();
        ch.advanceTimeBy(2, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat((Object) ch.readOutbound()).as("after the first request's answer").isNull();
        sends.get(0).complete(null);
        ch.runPendingTasks();
        FullHttpResponse first = ch.readOutbound();
        assertThat(first.status().code()).isEqualTo(204);
        first.release();
        FullHttpResponse r = ch.readOutbound();
        assertThat(r.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("close");
        assertAnswer(r, 408, "{\"error\":{\"code\":408,\"message\":"
                + "\"the request did not arrive whole within 30000 ms (gateway.request-timeout)\"}}");
        ch.runPendingTasks();
        assertThat(ch.isOpen()).isFalse();
        assertThat(metrics.render()).contains("gateway_rejected_total{endpoint=\"api_put\",reason=\"request_timeout\"} 1");
    }

    @Test
    void concatenatedGzipMembersAreOneBodyAndGarbageAfterAMemberIs400() throws IOException {
        EmbeddedChannel ch = channel(true);
        byte[] a = "{\"hostname\":".getBytes(StandardCharsets.UTF_8);
        byte[] b = "\"h\"}".getBytes(StandardCharsets.UTF_8);
        ch.writeInbound(gzipPost("/", concat(gzip(a), gzip(b))));
        assertThat(admittedBodies).hasSize(1);
        assertThat(new String(admittedBodies.get(0), StandardCharsets.UTF_8)).isEqualTo("{\"hostname\":\"h\"}");
        sends.get(0).complete(null);
        ch.runPendingTasks();
        ((FullHttpResponse) ch.readOutbound()).release();

        ch.writeInbound(gzipPost("/", concat(gzip(a), "garbage".getBytes(StandardCharsets.UTF_8))));
        assertAnswer(ch.readOutbound(), 400, "corrupt gzip body: bytes after the gzip data that are not a gzip member\n");
        byte[] whole = gzip(b);
        whole[whole.length - 8] ^= 1; // the CRC
        ch.writeInbound(gzipPost("/", whole));
        assertAnswer(ch.readOutbound(), 400, "corrupt gzip body: gzip checksum or size mismatch\n");
        assertThat(admittedBodies).hasSize(1);
    }

    // ---- helpers

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

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
