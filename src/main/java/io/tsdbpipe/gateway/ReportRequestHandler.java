package io.tsdbpipe.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;

/**
 * The requests of one connection: routes by method and path, decodes the body, admits it, hands its records to the
 * producer and answers when the broker acknowledged them (or refused). The answer is written on the connection's event
 * loop; answers of pipelined requests leave in the order of the requests. One instance per connection.
 */
final class ReportRequestHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(ReportRequestHandler.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final GatewayParts parts;
    private final boolean flumePort;
    /** Answers not yet written, in the order of their requests. Event loop only. */
    private final ArrayDeque<Answer> answers = new ArrayDeque<>();
    private boolean closing;

    ReportRequestHandler(GatewayParts parts, boolean flumePort) {
        this.parts = parts;
        this.flumePort = flumePort;
    }

    /** The aggregator and this handler, after the HTTP codec (tests put them in an EmbeddedChannel). */
    static void addTo(ChannelPipeline pipeline, GatewayParts parts, boolean flumePort) {
        ReportRequestHandler handler = new ReportRequestHandler(parts, flumePort);
        pipeline.addLast("aggregator", new ReportBodyAggregator(parts.maxBodySize(), handler::expectationTooLarge));
        pipeline.addLast("reports", handler);
    }

    /** Where a request goes: a report endpoint, the health or metrics page, or nowhere. */
    private enum Target { REPORTS, HEALTH, METRICS, NOT_FOUND }

    /** The route of a path: its target, the endpoint whose dialect answers it, and whether its metrics count it. */
    private record Route(Target target, Endpoint dialect, boolean counted, HttpMethod method) {}

    private Route route(String path) {
        if (flumePort) {
            return new Route(Target.REPORTS, Endpoint.FLUME, true, HttpMethod.POST); // Flume's source: any path
        }
        switch (path) {
            case "/v2/push/":
            case "/v2/push":
                return new Route(Target.REPORTS, Endpoint.V2_PUSH, true, HttpMethod.POST);
            case "/api/put":
            case "/api/put/":
                return new Route(Target.REPORTS, Endpoint.API_PUT, true, HttpMethod.POST);
            case "/healthz":
                return new Route(Target.HEALTH, Endpoint.V2_PUSH, false, HttpMethod.GET);
            case "/metrics":
                return new Route(Target.METRICS, Endpoint.V2_PUSH, false, HttpMethod.GET);
            default:
                // OpenTSDB's clients get OpenTSDB's error shape, everyone else bk-collector's
                return new Route(Target.NOT_FOUND, path.startsWith("/api/") ? Endpoint.API_PUT : Endpoint.V2_PUSH,
                        false, null);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FullHttpRequest) {
            FullHttpRequest request = (FullHttpRequest) msg;
            try {
                if (!closing) {
                    handle(ctx, request);
                }
            } finally {
                request.release();
            }
        } else if (msg instanceof ReportBodyAggregator.OversizedRequest) {
            ReportBodyAggregator.OversizedRequest o = (ReportBodyAggregator.OversizedRequest) msg;
            if (!closing) {
                Route route = route(new QueryStringDecoder(o.head().uri()).path());
                Answer answer = enqueue(o.head(), !o.close() && HttpUtil.isKeepAlive(o.head()));
                answer.complete(ctx, refusal(route, tooLarge()));
            }
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    private void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
        Answer answer = enqueue(request, HttpUtil.isKeepAlive(request));
        if (!request.decoderResult().isSuccess()) {
            answer.keepAlive = false;
            answer.complete(ctx, ReportAnswers.text(400, "malformed HTTP request\n"));
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        Route route = route(uri.path());
        if (route.target() == Target.NOT_FOUND) {
            answer.complete(ctx, refusal(route, new GatewayRejection(RejectionReason.NOT_FOUND,
                    "no such endpoint: " + shorten(uri.path()))));
            return;
        }
        if (!request.method().equals(route.method())) {
            FullHttpResponse r = refusal(route, new GatewayRejection(RejectionReason.METHOD_NOT_ALLOWED,
                    request.method() + " is not allowed here, use " + route.method()));
            r.headers().set(HttpHeaderNames.ALLOW, route.method().name());
            answer.complete(ctx, r);
            return;
        }
        switch (route.target()) {
            case HEALTH:
                answer.complete(ctx, health());
                return;
            case METRICS:
                answer.complete(ctx, ReportAnswers.full(200, parts.metrics().render().getBytes(StandardCharsets.UTF_8),
                        GatewayMetrics.CONTENT_TYPE));
                return;
            default:
                report(ctx, request, uri, route, answer);
        }
    }

    private void report(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri, Route route,
            Answer answer) {
        Endpoint endpoint = route.dialect();
        parts.metrics().requestBytes(endpoint, request.content().readableBytes());
        if (parts.pending().incrementAndGet() > parts.maxPendingRequests()) {
            parts.pending().decrementAndGet();
            answer.complete(ctx, refusal(route, new GatewayRejection(RejectionReason.OVERLOADED,
                    "the gateway has " + parts.maxPendingRequests() + " requests pending, retry later")));
            return;
        }
        boolean handedOver = false;
        try {
            byte[] body = RequestBodyDecoder.decode(request.content(),
                    request.headers().get(HttpHeaderNames.CONTENT_ENCODING), parts.maxDecompressedSize());
            ReportAdmission.Admitted admitted = parts.admission().admit(endpoint, body);
            boolean summary = uri.parameters().containsKey("summary");
            boolean details = uri.parameters().containsKey("details");
            if (admitted.records().isEmpty()) { // e.g. Flume's empty event list: nothing to keep
                answer.complete(ctx, accepted(endpoint, admitted.datapoints(), summary, details));
                return;
            }
            long start = System.nanoTime();
            CompletableFuture<Void> acked;
            try {
                acked = parts.sender().send(admitted.records());
            } catch (RuntimeException e) {
                acked = CompletableFuture.failedFuture(e);
            }
            handedOver = true;
            acked.whenComplete((ok, failure) -> {
                parts.pending().decrementAndGet();
                FullHttpResponse response;
                if (failure == null) {
                    parts.metrics().produceLatency(endpoint, System.nanoTime() - start);
                    parts.metrics().recordsProduced(endpoint, admitted.records().size());
                    response = accepted(endpoint, admitted.datapoints(), summary, details);
                } else {
                    response = refusal(route, produceFailure(failure));
                }
                try {
                    ctx.executor().execute(() -> answer.complete(ctx, response));
                } catch (RejectedExecutionException e) { // the gateway is closing: nobody to answer
                    response.release();
                }
            });
        } catch (GatewayRejection r) {
            answer.complete(ctx, refusal(route, r));
        } catch (RuntimeException e) {
            LOG.error("Request to {} failed", uri.path(), e);
            answer.complete(ctx, refusal(route, new GatewayRejection(RejectionReason.INTERNAL_ERROR,
                    "internal error of the gateway (logged); the request was not accepted")));
        } finally {
            if (!handedOver) {
                parts.pending().decrementAndGet();
            }
        }
    }

    /** The 413 of a request whose Expect: 100-continue announced an oversized body (written by the aggregator). */
    HttpResponse expectationTooLarge(HttpRequest request) {
        FullHttpResponse r = refusal(route(new QueryStringDecoder(request.uri()).path()), tooLarge());
        HttpUtil.setKeepAlive(r.headers(), request.protocolVersion(), false);
        return r;
    }

    private GatewayRejection tooLarge() {
        return new GatewayRejection(RejectionReason.BODY_TOO_LARGE,
                "request body larger than " + parts.maxBodySize() + " bytes (gateway.max-body-size)");
    }

    private static GatewayRejection produceFailure(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof GatewayRejection) {
            return (GatewayRejection) t;
        }
        LOG.warn("Kafka did not take a request's records: {}", t.toString());
        return new GatewayRejection(RejectionReason.KAFKA_UNAVAILABLE, "Kafka did not acknowledge the reports");
    }

    private FullHttpResponse accepted(Endpoint endpoint, int datapoints, boolean summary, boolean details) {
        FullHttpResponse r = ReportAnswers.accepted(endpoint, datapoints, summary, details);
        parts.metrics().request(endpoint, r.status().code());
        return r;
    }

    /** The refusal's answer (its Retry-After the configured one), counted when the route is a report endpoint. */
    private FullHttpResponse refusal(Route route, GatewayRejection r) {
        if (route.counted()) {
            parts.metrics().request(route.dialect(), r.status());
            parts.metrics().rejected(route.dialect(), r.reason().code());
        }
        return ReportAnswers.refused(route.dialect(), r.status(), r.getMessage(), parts.retryAfterSeconds());
    }

    /** Ready when the brokers answer and the channel registry is loaded; else 503 naming what is missing. */
    private FullHttpResponse health() {
        boolean kafka = parts.kafkaReachable().getAsBoolean();
        boolean channels = parts.channelsReady().getAsBoolean();
        ObjectNode o = MAPPER.createObjectNode();
        o.put("status", kafka && channels ? "ready" : "not_ready");
        o.put("kafka_reachable", kafka);
        o.put("channels_loaded", channels);
        o.put("channels", parts.channels().getAsInt());
        if (!kafka || !channels) {
            ArrayNode missing = o.putArray("missing");
            if (!kafka) {
                missing.add("kafka: the brokers did not answer recently");
            }
            if (!channels) {
                missing.add("channels: the channel topic is not read to its end yet");
            }
        }
        return ReportAnswers.json(kafka && channels ? 200 : 503, o);
    }

    private Answer enqueue(HttpRequest request, boolean keepAlive) {
        Answer a = new Answer(request.protocolVersion(), keepAlive);
        answers.addLast(a);
        return a;
    }

    /** Writes the answers at the head of the queue that are ready. */
    private void writeReady(ChannelHandlerContext ctx) {
        boolean wrote = false;
        while (!answers.isEmpty() && answers.peekFirst().response != null) {
            Answer a = answers.pollFirst();
            if (closing || !ctx.channel().isActive()) {
                a.response.release();
                continue;
            }
            HttpUtil.setKeepAlive(a.response.headers(), a.version, a.keepAlive);
            if (a.keepAlive) {
                ctx.write(a.response, ctx.voidPromise());
            } else {
                closing = true;
                ctx.writeAndFlush(a.response).addListener(ChannelFutureListener.CLOSE);
            }
            wrote = true;
        }
        if (wrote && !closing) {
            ctx.flush();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        closing = true;
        for (Answer a : answers) {
            ReferenceCountUtil.release(a.response);
        }
        answers.clear();
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("Connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }

    private static String shorten(String s) {
        return s.length() <= 100 ? s : s.substring(0, 100) + "...";
    }

    /** One request's answer, filled in when known. */
    private final class Answer {
        final HttpVersion version;
        boolean keepAlive;
        FullHttpResponse response;

        Answer(HttpVersion version, boolean keepAlive) {
            this.version = version;
            this.keepAlive = keepAlive;
        }

        /** Event loop only. */
        void complete(ChannelHandlerContext ctx, FullHttpResponse r) {
            if (closing && !answers.contains(this)) {
                r.release();
                return;
            }
            response = r;
            writeReady(ctx);
        }
    }
}
