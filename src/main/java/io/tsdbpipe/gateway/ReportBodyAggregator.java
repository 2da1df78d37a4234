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
import io.netty.util.ReferenceCountUtil;

import java.util.function.Function;

/**
 * Netty's aggregator with {@code gateway.max-body-size} on the body as received, answering an oversized request in its
 * endpoint's dialect instead of Netty's bare 413: through the request handler (so that a pipelined request's answers
 * stay in order), or, for {@code Expect: 100-continue}, at once instead of the 100.
 */
final class ReportBodyAggregator extends HttpObjectAggregator {

    /** An oversized request's head, in place of the request; {@code close}: the body was already coming. */
    record OversizedRequest(HttpRequest head, boolean close) {}

    private final Function<HttpRequest, HttpResponse> expectationTooLarge;

    /** @param expectationTooLarge the 413 of a request that announced its oversized body with Expect: 100-continue */
    ReportBodyAggregator(int maxBodySize, Function<HttpRequest, HttpResponse> expectationTooLarge) {
        super(maxBodySize, true);
        this.expectationTooLarge = expectationTooLarge;
    }

    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        Object response = super.newContinueResponse(start, maxContentLength, pipeline);
        if (response instanceof HttpResponse && ((HttpResponse) response).status().code() == 413
                && start instanceof HttpRequest) {
            ReferenceCountUtil.release(response);
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
        ctx.fireChannelRead(new OversizedRequest(head, close));
    }
}
