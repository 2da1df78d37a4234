package io.tsdbpipe.gateway;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The whole-request deadline of {@code gateway.request-timeout}, first in the pipeline (before the HTTP codec): the
 * clock starts with the first bytes read after the previous request was complete, so that headers or a body trickled
 * a byte at a time (slowloris) time out too, and stops when the aggregator saw the request's end. One per connection;
 * event loop only.
 */
final class RequestDeadline extends ChannelInboundHandlerAdapter {

    private final long timeoutNanos;
    private final Runnable onExpiry;
    private ScheduledFuture<?> timer;
    private boolean expired;

    /** @param onExpiry runs on the event loop when a request did not arrive whole in time */
    RequestDeadline(Duration timeout, Runnable onExpiry) {
        this.timeoutNanos = timeout.toNanos();
        this.onExpiry = onExpiry;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (timer == null && !expired) {
            timer = ctx.executor().schedule(this::expire, timeoutNanos, TimeUnit.NANOSECONDS);
        }
        ctx.fireChannelRead(msg);
    }

    /** The request being read is complete (its last content passed the aggregator). */
    void requestComplete() {
        cancel();
    }

    /** Restarts the clock: a deferred Expect: 100-continue is answered now, the body comes after it. */
    void restart(ChannelHandlerContext ctx) {
        cancel();
        if (!expired) {
            timer = ctx.executor().schedule(this::expire, timeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void expire() {
        timer = null;
        expired = true;
        onExpiry.run();
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancel();
        expired = true;
        super.channelInactive(ctx);
    }
}
