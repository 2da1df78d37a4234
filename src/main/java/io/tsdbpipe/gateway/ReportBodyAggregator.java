package io.tsdbpipe.gateway;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

import java.util.ArrayDeque;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * Netty's aggregator with {@code gateway.max-body-size} on the body as received, answering an oversized request in its
 * endpoint's dialect instead of Netty's bare 413: through the request handler (so that a pipelined request's answers
 * stay in order), or, for {@code Expect: 100-continue}, at once instead of the 100. An expectation (its 100 or its
 * 413) is answered only when no earlier answer is outstanding on the connection: until then the request and what
 * follows it wait here, and the connection stops reading. Also the end of each request for the
 * {@link RequestDeadline}, and what a timed-out request was.
 */
final class ReportBodyAggregator extends HttpObjectAggregator {

    /** An oversized request's head, in place of the request; {@code close}: the body was already coming. */
    record OversizedRequest(HttpRequest head, boolean close) {}

    /**
     * The request being read did not arrive whole within {@code gateway.request-timeout}: its head (null when even
     * the head was incomplete), and whether it was answered already (a 413 whose announced body was being skipped).
     */
    record TimedOutRequest(HttpRequest head, boolean answered) {}

    private final Function<HttpRequest, HttpResponse> expectationTooLarge;
    private final BooleanSupplier answersOutstanding;
    /** Messages held back behind an expectation that must wait for earlier answers. Event loop only. */
    private final ArrayDeque<Object> deferred = new ArrayDeque<>();
    private RequestDeadline deadline;
    private ChannelHandlerContext ctx;
    private HttpRequest current;
    private boolean currentAnswered;
    private boolean replaying;

    /**
     * @param expectationTooLarge the 413 of a request that announced its oversized body with Expect: 100-continue
     * @param answersOutstanding whether an earlier request of the connection is not answered yet
     */
    ReportBodyAggregator(int maxBodySize, Function<HttpRequest, HttpResponse> expectationTooLarge,
            BooleanSupplier answersOutstanding) {
        super(maxBodySize, true);
        this.expectationTooLarge = expectationTooLarge;
        this.answersOutstanding = answersOutstanding;
    }

    void deadline(RequestDeadline d) {
        this.deadline = d;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        this.ctx = ctx;
        super.handlerAdded(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (!deferred.isEmpty() || mustWait(msg)) {
            if (deferred.isEmpty()) {
                ctx.channel().config().setAutoRead(false);
            }
            deferred.addLast(msg);
            return;
        }
        read(ctx, msg);
    }

    /** Whether messages wait behind an expectation; the handler keeps the connection from reading meanwhile. */
    boolean deferring() {
        return !deferred.isEmpty();
    }

    /** The connection has no outstanding answer: the expectations that waited for it are answered now. */
    void answersDrained() throws Exception {
        if (replaying || ctx == null) {
            return;
        }
        replaying = true;
        try {
            while (!deferred.isEmpty() && !mustWait(deferred.peekFirst())) {
                Object msg = deferred.pollFirst();
                if (msg instanceof HttpRequest && deadline != null) {
                    deadline.restart(ctx); // the client waited for our 100 until now
                }
                read(ctx, msg);
            }
        } finally {
            replaying = false;
        }
    }

    private boolean mustWait(Object msg) {
        return msg instanceof HttpRequest && !(msg instanceof FullHttpMessage)
                && HttpUtil.is100ContinueExpected((HttpRequest) msg) && answersOutstanding.getAsBoolean();
    }

    private void read(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof HttpRequest) {
            HttpRequest r = (HttpRequest) msg;
            current = new DefaultHttpRequest(r.protocolVersion(), r.method(), r.uri()); // what a 408 needs
            currentAnswered = false;
        }
        boolean last = msg instanceof LastHttpContent;
        super.channelRead(ctx, msg);
        if (last) {
            current = null;
            if (deadline != null) {
                deadline.requestComplete();
            }
        }
    }

    /** The request deadline expired: tells the handler which request it was. */
    void timedOut() {
        if (ctx != null) {
            ctx.fireUserEventTriggered(new TimedOutRequest(current, current != null && currentAnswered));
        }
    }

    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        Object response = super.newContinueResponse(start, maxContentLength, pipeline);
        if (response instanceof HttpResponse && ((HttpResponse) response).status().code() == 413
                && start instanceof HttpRequest) {
            ReferenceCountUtil.release(response);
            currentAnswered = true;
            return expectationTooLarge.apply((HttpRequest) start);
        }
        return response;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) throws Exception {
        if (!(oversized instanceof HttpRequest)) {
            super.handleOversizedMessage(ctx, oversized);
            return;
        }
        HttpRequest request = (HttpRequest) oversized;
        // as Netty's: once body bytes arrived (or nobody keeps the connection) the rest cannot be skipped reliably
        boolean close = oversized instanceof FullHttpMessage
                || (!HttpUtil.is100ContinueExpected(oversized) && !HttpUtil.isKeepAlive(oversized));
        // a copy of the head: the aggregator releases the message itself
        HttpRequest head = new DefaultHttpRequest(request.protocolVersion(), request.method(), request.uri(),
                request.headers().copy());
        currentAnswered = true;
        ctx.fireChannelRead(new OversizedRequest(head, close));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        releaseDeferred();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) throws Exception {
        releaseDeferred();
        super.handlerRemoved(ctx);
    }

    private void releaseDeferred() {
        Object msg;
        while ((msg = deferred.pollFirst()) != null) {
            ReferenceCountUtil.release(msg);
        }
    }
}
