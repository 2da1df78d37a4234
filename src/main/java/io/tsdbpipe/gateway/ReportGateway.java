package io.tsdbpipe.gateway;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP report gateway: takes reports the way applications send them today (bk-collector's {@code /v2/push/},
 * Flume's HTTP source, OpenTSDB's {@code /api/put}) and answers 200 only once the broker acknowledged them. Two ports
 * on one Netty server (NIO; one accepting thread, {@code gateway.io-threads} event loops).
 *
 * <p>{@code main}: {@code [--config FILE] [--dotted.key value]...} (default file {@code flink-conf/gateway.yaml}).
 */
public final class ReportGateway implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReportGateway.class);

    private final GatewaySettings settings;
    /** Closed in this order after the server: the producer, then the channel follower. */
    private final List<AutoCloseable> resources;
    private final GatewayMetrics metrics;
    private final AtomicInteger pending;
    private final AtomicBoolean draining;
    /** The open connections of both ports. */
    private final ChannelGroup connections;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel httpChannel;
    private final Channel flumeChannel;
    private final CountDownLatch closed = new CountDownLatch(1);
    private boolean closing;

    private ReportGateway(GatewaySettings settings, List<AutoCloseable> resources, GatewayParts parts,
            ChannelGroup connections, EventLoopGroup boss, EventLoopGroup workers, Channel httpChannel,
            Channel flumeChannel) {
        this.settings = settings;
        this.resources = resources;
        this.metrics = parts.metrics();
        this.pending = parts.pending();
        this.draining = parts.draining();
        this.connections = connections;
        this.boss = boss;
        this.workers = workers;
        this.httpChannel = httpChannel;
        this.flumeChannel = flumeChannel;
    }

    /**
     * Starts following the channel topic, opens the producer, then binds both ports; returns a running gateway.
     *
     * @throws IOException a port cannot be bound
     */
    public static ReportGateway start(GatewaySettings settings) throws IOException {
        ChannelFollower follower = null;
        ReportProducer producer = null;
        try {
            follower = new ChannelFollower(
                    settings.channelsTopic(), settings.channelConsumerProperties(), settings.staticChannels());
            follower.start();
            producer = new ReportProducer(settings.kafkaTopic(), settings.producerProperties(),
                    settings.kafkaAckTimeout(), settings.kafkaBufferSize(), settings.retryAfter());
            ChannelFollower channels = follower;
            ReportProducer kafka = producer;
            AtomicInteger pending = new AtomicInteger();
            GatewayMetrics metrics = new GatewayMetrics(pending::get, kafka::reachable, channels::channelCount);
            ReportAdmission admission = new EdgeChecks(new ChannelAuthenticator(channels),
                    new ChannelRateLimiter(settings.defaultRateLimit(), settings.channelRateLimits(), System::nanoTime),
                    channels::ready, metrics, settings.retryAfterSeconds());
            GatewayParts parts = GatewayParts.of(settings, admission, kafka::send, kafka::reachable, channels::ready,
                    channels::channelCount, metrics, pending);
            return serve(settings, parts, List.of(producer, follower));
        } catch (IOException | RuntimeException e) {
            closeQuietly(producer);
            closeQuietly(follower);
            throw e;
        }
    }

    /**
     * Binds both ports and serves with these parts (tests give in-memory ones).
     *
     * @param resources closed in this order after the server, on {@link #close}
     */
    static ReportGateway serve(GatewaySettings settings, GatewayParts parts, List<AutoCloseable> resources)
            throws IOException {
        EventLoopGroup boss = new NioEventLoopGroup(1, new DefaultThreadFactory("gateway-accept"));
        EventLoopGroup workers =
                new NioEventLoopGroup(settings.effectiveIoThreads(), new DefaultThreadFactory("gateway-io"));
        try {
            ChannelGroup connections = new DefaultChannelGroup("gateway-connections", GlobalEventExecutor.INSTANCE);
            ConnectionLimit limit = new ConnectionLimit(settings, parts, connections);
            Channel http = bind(boss, workers, settings.bindHost(), settings.httpPort(), limit, false);
            Channel flume;
            try {
                flume = bind(boss, workers, settings.bindHost(), settings.flumePort(), limit, true);
            } catch (IOException e) {
                http.close().syncUninterruptibly();
                throw e;
            }
            ReportGateway gateway = new ReportGateway(
                    settings, resources, parts, connections, boss, workers, http, flume);
            LOG.info("gateway ready: http://{}:{} (/v2/push/, /api/put, /healthz, /metrics), flume http://{}:{}",
                    settings.bindHost(), gateway.httpPort(), settings.bindHost(), gateway.flumePort());
            return gateway;
        } catch (IOException | RuntimeException e) {
            boss.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** gateway.max-connections over both ports, the open connections (to drain them), and each one's pipeline. */
    private static final class ConnectionLimit {
        private final GatewaySettings settings;
        private final GatewayParts parts;
        private final ChannelGroup connections;
        private final AtomicInteger open = new AtomicInteger();

        ConnectionLimit(GatewaySettings settings, GatewayParts parts, ChannelGroup connections) {
            this.settings = settings;
            this.parts = parts;
            this.connections = connections;
        }

        void init(SocketChannel ch, boolean flume) {
            if (open.incrementAndGet() > settings.maxConnections()) {
                open.decrementAndGet();
                parts.metrics().connectionRefused();
                LOG.debug("Refusing connection {}: {} connections open (gateway.max-connections)",
                        ch.remoteAddress(), settings.maxConnections());
                ch.close();
                return;
            }
            ch.closeFuture().addListener(f -> open.decrementAndGet());
            connections.add(ch);
            // an idle keep-alive connection is closed (the handler does, when no answer is outstanding)
            ch.pipeline().addLast("idle",
                    new IdleStateHandler(0, 0, settings.idleTimeout().toMillis(), TimeUnit.MILLISECONDS));
            ch.pipeline().addLast("http", new HttpServerCodec());
            ReportRequestHandler.addTo(ch.pipeline(), parts, flume);
        }
    }

    private static Channel bind(EventLoopGroup boss, EventLoopGroup workers, String host, int port,
            ConnectionLimit limit, boolean flume) throws IOException {
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                // not writable past 64 KB of unsent answers: the connection stops reading until the client reads
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        limit.init(ch, flume);
                    }
                });
        try {
            return b.bind(host, port).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while binding " + host + ":" + port, e);
        } catch (Exception e) { // Netty rethrows the bind's IOException unchecked
            throw new IOException("cannot bind the gateway's " + (flume ? "flume" : "http") + " port " + host + ":"
                    + port + ": " + e.getMessage(), e);
        }
    }

    /** The bound http port (the configured one, or the ephemeral one for 0). */
    public int httpPort() {
        return ((InetSocketAddress) httpChannel.localAddress()).getPort();
    }

    /** The bound flume port. */
    public int flumePort() {
        return ((InetSocketAddress) flumeChannel.localAddress()).getPort();
    }

    public GatewayMetrics metrics() {
        return metrics;
    }

    public GatewaySettings settings() {
        return settings;
    }

    /**
     * Stops taking connections and requests (a request on an open connection is answered 503 shutting_down with
     * Connection: close; idle connections are closed, busy ones after their last answer), gives the pending requests
     * until the ack timeout to be answered, then closes the connections, the producer and the channel follower.
     * Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closing) {
                return;
            }
            closing = true;
        }
        try {
            draining.set(true);
            httpChannel.close().syncUninterruptibly();
            flumeChannel.close().syncUninterruptibly();
            for (Channel c : connections) {
                c.eventLoop().execute(() -> c.pipeline().fireUserEventTriggered(ReportRequestHandler.DRAIN));
            }
            long deadline = System.nanoTime() + settings.kafkaAckTimeout().toNanos();
            while (pending.get() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10); // the producer's futures complete by the ack timeout at the latest
            }
            if (pending.get() > 0) {
                LOG.warn("Closing with {} requests not answered (their clients see the connection close)",
                        pending.get());
            }
            workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            resources.forEach(ReportGateway::closeQuietly);
            LOG.info("gateway closed");
            closed.countDown();
        }
    }

    /** Blocks until {@link #close} finished. */
    public void awaitClosed() throws InterruptedException {
        closed.await();
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("Closing {} failed", c.getClass().getSimpleName(), e);
            }
        }
    }

    public static void main(String[] args) throws Exception {
        GatewaySettings settings;
        try {
            settings = GatewaySettings.fromArgs(args);
        } catch (IllegalArgumentException | IOException e) {
            System.err.println("gateway: " + e.getMessage());
            System.exit(2);
            return;
        }
        ReportGateway gateway;
        try {
            gateway = start(settings);
        } catch (Exception e) {
            LOG.error("gateway failed to start", e);
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            gateway.close();
            stopLogging();
        }, "gateway-shutdown"));
        gateway.awaitClosed();
    }

    /**
     * The gateway's log4j2.properties turns log4j's own shutdown hook off, so that the drain is logged to its end: stop
     * log4j (flushing its appenders) after the last line, when it is the SLF4J binding. Any other binding: nothing to
     * do (log4j is not needed on the classpath, hence by reflection).
     */
    static void stopLogging() {
        String factory = LoggerFactory.getILoggerFactory().getClass().getName();
        if (!factory.startsWith("org.apache.logging.slf4j.")) {
            return;
        }
        try {
            Class.forName("org.apache.logging.log4j.core.LoggerContext"); // log4j-core, not log4j-to-slf4j
            Class.forName("org.apache.logging.log4j.LogManager").getMethod("shutdown").invoke(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            // not log4j-core: its own lifecycle
        }
    }
}
