package io.tsdbpipe.tools.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.tsdbpipe.tools.LoadGenerator;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The load of {@code scripts/bench-gateway.sh}: N keep-alive HTTP/1.1 connections (Netty's HTTP codec on
 * {@code --threads} event loops: a client far cheaper per request than {@code java.net.http}'s, which took more CPU
 * than the servers it measured on 2 cores), each posting a request as soon as the previous one was answered (closed loop), first for a warm-up, then for the
 * measured time (or a number of requests). Every report carries a unique id ({@code "bench_id":"<run>-<n>"}, its last
 * field, which the job's decoders skip), so that afterwards the tool reads the whole topic with a plain
 * {@link KafkaConsumer} and counts how many of the acknowledged (2xx) reports are there ({@link DeliveryLedger}).
 *
 * <p>Shapes: {@code flume} (the TBDS application's request: Flume's JSON handler envelope, {@code --events-per-request}
 * events, each a TBDS report; what the Flume HTTP source and the gateway's flume port take) and {@code blueking} (a
 * {@code /v2/push/} body of custom time series, with {@code --data-id} and {@code --token}). The reports are those of
 * {@link LoadGenerator} (a rotating set of {@code --templates} of them, so that building a request costs next to
 * nothing); the datapoints of a request are {@code --points-per-request}.
 *
 * <p>Prints requests/s, datapoints/s (of acknowledged requests), latency percentiles (send to answer, measured part
 * only), the answers by status, and sent / acknowledged / found in Kafka / lost; the last line, {@code result k=v ...},
 * is for scripts; with {@code --watch name=PID,...} it also has the CPU those processes used in the measured time
 * ({@code cpu_<name>_pct}, of one core). Exit code 1 when an acknowledged report is missing in the topic.
 */
public final class GatewayLoadClient {

    private static final String USAGE = String.join("\n",
            "Usage: GatewayLoadClient --url URL [OPTIONS]",
            "",
            "  --url URL                  where to POST (e.g. http://127.0.0.1:7777/ or http://127.0.0.1:10205/v2/push/)",
            "  --shape S                  flume (default: Flume JSON envelope of TBDS reports) or blueking",
            "  --connections N            concurrent connections, one request in flight each (default 32)",
            "  --points-per-request P     datapoints per request (default 100)",
            "  --events-per-request E     flume: events (reports) per request, P/E datapoints each (default 1)",
            "  --warmup S                 seconds of warm-up, not measured (default 10)",
            "  --duration S               measured seconds (default 30)",
            "  --requests N               measure N requests instead of a duration",
            "  --series N                 series of the reports (default 1000)",
            "  --templates N              distinct reports, rotated (default 200)",
            "  --data-id ID --token T     blueking: the channel (default the loadgen channel 1500001)",
            "  --bootstrap-servers H:P    Kafka, to count the reports in --topic afterwards (default 127.0.0.1:9092)",
            "  --topic T                  the topic the server produces to; none: no counting",
            "  --settle S                 the topic counts as complete when it did not grow for S s (default 5)",
            "  --max-wait S               at most S s for that (default 180)",
            "  --label L                  the run's name in the output (default the shape)",
            "  --timeout S                a request's timeout (default 30)",
            "  --threads N                the client's event loop threads (default 1)",
            "  --watch NAME=PID,...       also print the CPU these processes used in the measured time");

    private GatewayLoadClient() {}

    record Options(URI url, String shape, int connections, int pointsPerRequest, int eventsPerRequest, double warmup,
            double duration, long requests, int series, int templates, long dataId, String token, String bootstrap,
            String topic, double settle, double maxWait, String label, Duration timeout, int threads,
            Map<String, Long> watch) {}

    public static void main(String[] args) throws Exception {
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("GatewayLoadClient: " + e.getMessage() + "\n\n" + USAGE);
            System.exit(2);
            return;
        }
        System.exit(run(o));
    }

    static Options parse(String[] args) {
        Map<String, String> v = new TreeMap<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("-h") || args[i].equals("--help")) {
                System.out.println(USAGE);
                System.exit(0);
            }
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --option value, got " + args[i]);
            }
            v.put(args[i].substring(2), args[++i]);
        }
        List<String> known = List.of("url", "shape", "connections", "points-per-request", "events-per-request",
                "warmup", "duration", "requests", "series", "templates", "data-id", "token", "bootstrap-servers",
                "topic", "settle", "max-wait", "label", "timeout", "threads", "watch");
        for (String k : v.keySet()) {
            if (!known.contains(k)) {
                throw new IllegalArgumentException("unknown option --" + k);
            }
        }
        if (!v.containsKey("url")) {
            throw new IllegalArgumentException("--url is required");
        }
        String shape = v.getOrDefault("shape", "flume");
        if (!shape.equals("flume") && !shape.equals("blueking")) {
            throw new IllegalArgumentException("--shape must be flume or blueking, got " + shape);
        }
        int points = Integer.parseInt(v.getOrDefault("points-per-request", "100"));
        int events = Integer.parseInt(v.getOrDefault("events-per-request", "1"));
        if (events < 1 || points < events || points % events != 0) {
            throw new IllegalArgumentException("--points-per-request must be a multiple of --events-per-request");
        }
        if (shape.equals("blueking") && events != 1) {
            throw new IllegalArgumentException("--shape blueking sends one push per request (--events-per-request 1)");
        }
        Map<String, Long> watch = new LinkedHashMap<>();
        for (String w : v.getOrDefault("watch", "").split(",")) {
            if (!w.isBlank()) {
                int eq = w.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("--watch takes NAME=PID,..., got " + w);
                }
                watch.put(w.substring(0, eq), Long.parseLong(w.substring(eq + 1)));
            }
        }
        return new Options(URI.create(v.get("url")), shape, Integer.parseInt(v.getOrDefault("connections", "32")),
                points, events, Double.parseDouble(v.getOrDefault("warmup", "10")),
                Double.parseDouble(v.getOrDefault("duration", "30")), Long.parseLong(v.getOrDefault("requests", "-1")),
                Integer.parseInt(v.getOrDefault("series", "1000")), Integer.parseInt(v.getOrDefault("templates", "200")),
                Long.parseLong(v.getOrDefault("data-id", "1500001")), v.getOrDefault("token", "loadgen-0123456789abcdef"),
                v.getOrDefault("bootstrap-servers", "127.0.0.1:9092"), v.get("topic"),
                Double.parseDouble(v.getOrDefault("settle", "5")), Double.parseDouble(v.getOrDefault("max-wait", "180")),
                v.getOrDefault("label", shape),
                Duration.ofMillis((long) (Double.parseDouble(v.getOrDefault("timeout", "30")) * 1000)),
                Integer.parseInt(v.getOrDefault("threads", "1")), watch);
    }

    // ------------------------------------------------------------------------------------------------------------
    // the requests

    /**
     * One request body around its ids: {@code parts[0] id0 parts[1] id1 ... parts[E]}, the ids being consecutive.
     * Pre-encoded, so that a request costs the client a copy.
     */
    record Template(byte[][] parts) {

        int size() {
            return parts.length - 1;
        }

        byte[] body(long firstId) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(parts[0].length * (parts.length - 1) + 64);
            for (int i = 0; i < parts.length; i++) {
                out.writeBytes(parts[i]);
                if (i < parts.length - 1) {
                    out.writeBytes(Long.toString(firstId + i).getBytes(StandardCharsets.US_ASCII));
                }
            }
            return out.toByteArray();
        }
    }

    /** The rotating request bodies of {@code o}, each ready to take its ids of run {@code run}. */
    static List<Template> templates(Options o, String run) {
        LoadGenerator.Plan plan = LoadGenerator.plan(new LoadGenerator.Options(
                List.of(o.shape().equals("flume") ? "tbds" : "blueking"), o.series(),
                o.pointsPerRequest() / o.eventsPerRequest(), 1, System.currentTimeMillis() / 1000 / 10 * 10 - 3600, 10));
        String idStart = DeliveryLedger.idField(run, 0);
        idStart = idStart.substring(0, idStart.length() - 2); // "bench_id":"<run>-
        List<Template> templates = new ArrayList<>();
        for (int t = 0; t < o.templates(); t++) {
            List<byte[]> parts = new ArrayList<>();
            if (o.shape().equals("blueking")) {
                String report = open(plan.next().json())
                        .replace("\"data_id\":1500001,", "\"data_id\":" + o.dataId() + ",")
                        .replace("\"access_token\":\"loadgen-0123456789abcdef\"",
                                "\"access_token\":" + jsonString(o.token()));
                parts.add(utf8(report + "," + idStart));
                parts.add(utf8("\"}"));
            } else {
                // [{"headers":{},"body":"<report, "bench_id":"run-"> id <"}>"}, ...]: the report is a JSON string
                StringBuilder pending = new StringBuilder("[");
                for (int e = 0; e < o.eventsPerRequest(); e++) {
                    pending.append(e == 0 ? "" : ",").append("{\"headers\":{},\"body\":\"")
                            .append(escaped(open(plan.next().json()) + "," + idStart));
                    parts.add(utf8(pending.toString()));
                    pending.setLength(0);
                    pending.append(escaped("\"}")).append("\"}");
                }
                parts.add(utf8(pending.append(']').toString()));
            }
            templates.add(new Template(parts.toArray(new byte[0][])));
        }
        return templates;
    }

    /** A report without its closing brace, so that the id field can end it. */
    private static String open(String report) {
        if (!report.endsWith("}")) {
            throw new IllegalStateException("not a JSON object: " + report);
        }
        return report.substring(0, report.length() - 1);
    }

    /** {@code s} as a JSON string literal. */
    static String jsonString(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 16).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\t': sb.append("\\t"); break;
                default:
                    if (c < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        return sb.append('"').toString();
    }

    /** {@code s} escaped for the inside of a JSON string literal. */
    static String escaped(String s) {
        String literal = jsonString(s);
        return literal.substring(1, literal.length() - 1);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------------------------------------------------
    // the run

    /** What every connection shares: the options, the requests, the clock of the run. */
    private record Shared(Options o, List<Template> templates, AtomicLong nextId, AtomicLong measuredLeft,
            long measureStart, long measureEnd, Bootstrap bootstrap, CountDownLatch done, String host, int port,
            String path) {}

    /**
     * One keep-alive connection that posts the next request when the previous one was answered (reconnecting if the
     * server closes it), and what it saw. Runs on its channel's event loop only.
     */
    private static final class Connection extends SimpleChannelInboundHandler<FullHttpResponse> {
        private final Shared r;
        final DeliveryLedger ledger;
        final LatencyHistogram latencyMicros = new LatencyHistogram();
        final Map<Integer, Long> statuses = new TreeMap<>();
        long measured;
        long measuredOk;
        long lastAnswer;
        long errors;
        String firstProblem;
        private long id;
        private long start;
        private boolean waiting;
        private boolean inMeasure;
        private boolean finished;

        Connection(Shared r, String run) {
            this.r = r;
            this.ledger = new DeliveryLedger(run);
        }

        void connect() {
            Connection self = this;
            r.bootstrap().clone().handler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 20),
                            new ReadTimeoutHandler(r.o().timeout().toMillis(), TimeUnit.MILLISECONDS), self);
                }
            }).connect(r.host(), r.port()).addListener((ChannelFuture f) -> {
                if (!f.isSuccess()) {
                    errors++;
                    problem(f.cause().toString());
                    retryLater(f.channel().eventLoop());
                }
            });
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            sendNext(ctx.channel());
        }

        private boolean over(long now) {
            return now >= r.measureStart() && (r.o().requests() >= 0 ? r.measuredLeft().get() <= 0 : now >= r.measureEnd());
        }

        private void sendNext(Channel ch) {
            long now = System.nanoTime();
            inMeasure = now >= r.measureStart();
            if (over(now) || (inMeasure && r.o().requests() >= 0 && r.measuredLeft().getAndDecrement() <= 0)) {
                finish(ch);
                return;
            }
            int events = r.o().eventsPerRequest();
            id = r.nextId().getAndAdd(events);
            for (int i = 0; i < events; i++) {
                ledger.sent(id + i);
            }
            Template t = r.templates().get((int) ((id / events) % r.templates().size()));
            FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, r.path(),
                    Unpooled.wrappedBuffer(t.body(id)));
            request.headers()
                    .set(HttpHeaderNames.HOST, r.host() + ":" + r.port())
                    .set(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=UTF-8")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, request.content().readableBytes());
            waiting = true;
            start = System.nanoTime();
            ch.writeAndFlush(request).addListener((ChannelFuture f) -> {
                if (!f.isSuccess()) {
                    f.channel().close();
                }
            });
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            int status = response.status().code();
            if (status / 100 != 2) {
                problem(status + " " + response.content().toString(StandardCharsets.UTF_8).strip());
            }
            answered(status);
            if (HttpUtil.isKeepAlive(response)) {
                sendNext(ctx.channel());
            } else {
                ctx.close();
            }
        }

        private void answered(int status) {
            if (!waiting) {
                return;
            }
            waiting = false;
            long end = System.nanoTime();
            lastAnswer = end;
            if (status / 100 == 2) {
                for (int i = 0; i < r.o().eventsPerRequest(); i++) {
                    ledger.acked(id + i);
                }
            }
            if (inMeasure) {
                measured++;
                statuses.merge(status, 1L, Long::sum);
                latencyMicros.record((end - start) / 1000);
                if (status / 100 == 2) {
                    measuredOk++;
                }
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (waiting) {
                errors++;
                problem(cause.toString());
                answered(0);
            }
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (waiting) {
                errors++;
                problem("connection closed before the answer");
                answered(0);
            }
            retryLater(ctx.channel().eventLoop());
        }

        private void retryLater(EventLoop loop) {
            if (finished) {
                return;
            }
            if (over(System.nanoTime())) {
                finish(null);
            } else {
                loop.schedule(this::connect, 100, TimeUnit.MILLISECONDS);
            }
        }

        private void finish(Channel ch) {
            if (!finished) {
                finished = true;
                r.done().countDown();
            }
            if (ch != null) {
                ch.close();
            }
        }

        private void problem(String text) {
            if (firstProblem == null) {
                firstProblem = text;
            }
        }

        @Override
        public boolean isSharable() {
            return true; // one channel at a time, reconnects reuse it
        }
    }

    /** User plus system CPU seconds of a Linux process so far ({@code /proc/PID/stat}, 100 ticks a second); NaN if gone. */
    static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** CPU seconds the whole machine was busy so far ({@code /proc/stat}: all but idle and iowait); NaN elsewhere. */
    static double machineBusySeconds() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            for (int i = 1; i < Math.min(f.length, 9); i++) {
                if (i != 4 && i != 5) {
                    busy += Long.parseLong(f[i]);
                }
            }
            return busy / 100.0;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    static int run(Options o) throws Exception {
        String run = Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);
        List<Template> templates = templates(o, run);
        long bodyBytes = templates.get(0).body(0).length;
        System.out.printf(Locale.ROOT, "gateway-load %s: POST %s, %s, %d connections, %d datapoints per request"
                        + " (%d event(s), %,d bytes), %.0f s warm-up, then %s%n",
                o.label(), o.url(), o.shape(), o.connections(), o.pointsPerRequest(), o.eventsPerRequest(),
                bodyBytes, o.warmup(), o.requests() >= 0 ? o.requests() + " requests" : o.duration() + " s");
        EventLoopGroup group = new NioEventLoopGroup(o.threads(), new DefaultThreadFactory("load"));
        long t0 = System.nanoTime();
        long measureStart = t0 + (long) (o.warmup() * 1e9);
        long measureEnd = o.requests() >= 0 ? Long.MAX_VALUE : measureStart + (long) (o.duration() * 1e9);
        String path = (o.url().getRawPath() == null || o.url().getRawPath().isEmpty() ? "/" : o.url().getRawPath())
                + (o.url().getRawQuery() == null ? "" : "?" + o.url().getRawQuery());
        Shared shared = new Shared(o, templates, new AtomicLong(), new AtomicLong(o.requests()), measureStart,
                measureEnd, new Bootstrap().group(group).channel(NioSocketChannel.class)
                        .option(ChannelOption.TCP_NODELAY, true)
                        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000),
                new CountDownLatch(o.connections()), o.url().getHost(), o.url().getPort() < 0 ? 80 : o.url().getPort(),
                path);
        List<Connection> connections = new ArrayList<>();
        for (int i = 0; i < o.connections(); i++) {
            connections.add(new Connection(shared, run));
        }
        connections.forEach(Connection::connect);
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpuAtStart = -1;
        double machineAtStart = Double.NaN;
        double[] watchedAtStart = new double[o.watch().size()];
        List<Long> watchedPids = new ArrayList<>(o.watch().values());
        while (!shared.done().await(100, TimeUnit.MILLISECONDS)) {
            if (cpuAtStart < 0 && System.nanoTime() >= measureStart) {
                cpuAtStart = os.getProcessCpuTime();
                machineAtStart = machineBusySeconds();
                for (int i = 0; i < watchedPids.size(); i++) {
                    watchedAtStart[i] = cpuSeconds(watchedPids.get(i));
                }
            }
        }
        long cpuEnd = System.nanoTime();
        long cpu = os.getProcessCpuTime() - Math.max(0, cpuAtStart);
        StringBuilder watched = new StringBuilder(String.format(Locale.ROOT, " cpu_machine_pct=%.0f",
                100 * (machineBusySeconds() - machineAtStart) / ((cpuEnd - measureStart) / 1e9)));
        List<String> names = new ArrayList<>(o.watch().keySet());
        for (int i = 0; i < watchedPids.size(); i++) {
            double pct = 100 * (cpuSeconds(watchedPids.get(i)) - watchedAtStart[i]) / ((cpuEnd - measureStart) / 1e9);
            watched.append(String.format(Locale.ROOT, " cpu_%s_pct=%.0f", names.get(i), pct));
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        long end = connections.stream().mapToLong(c -> c.lastAnswer).max().orElse(System.nanoTime());
        double seconds = (Math.min(end, measureEnd) - measureStart) / 1e9;
        double cpuSeconds = (cpuEnd - measureStart) / 1e9;

        DeliveryLedger ledger = new DeliveryLedger(run);
        LatencyHistogram latency = new LatencyHistogram();
        Map<Integer, Long> statuses = new TreeMap<>();
        long measured = 0;
        long ok = 0;
        long errors = 0;
        String problem = null;
        for (Connection w : connections) {
            ledger.merge(w.ledger);
            latency.add(w.latencyMicros);
            w.statuses.forEach((k, v) -> statuses.merge(k, v, Long::sum));
            measured += w.measured;
            ok += w.measuredOk;
            errors += w.errors;
            problem = problem == null ? w.firstProblem : problem;
        }
        double rate = ok / seconds;
        StringBuilder byStatus = new StringBuilder();
        statuses.forEach((k, v) -> byStatus.append(byStatus.length() == 0 ? "" : ";").append(k == 0 ? "error" : k)
                .append(':').append(v));
        System.out.printf(Locale.ROOT, "measured: %d requests in %.2f s: %.1f requests/s acknowledged, %.0f datapoints/s;"
                        + " answers %s; latency p50 %.2f p90 %.2f p99 %.2f max %.2f ms; client CPU %.0f%% of a core%n",
                measured, seconds, rate, rate * o.pointsPerRequest(), byStatus, ms(latency.percentile(0.5)),
                ms(latency.percentile(0.9)), ms(latency.percentile(0.99)), ms(latency.max()),
                100.0 * cpu / 1e9 / cpuSeconds);
        if (problem != null) {
            System.out.println("first problem: " + problem);
        }

        DeliveryLedger.Result r = null;
        double drain = Double.NaN;
        if (o.topic() != null && !o.topic().isEmpty()) {
            drain = count(o, ledger, end);
            r = ledger.result();
            System.out.printf(Locale.ROOT, "kafka %s: %d reports sent, %d acknowledged, %d of them in the topic, %d lost;"
                            + " %d unacknowledged but stored, %d duplicates, %d foreign records; the topic settled"
                            + " %.1f s after the last answer%n",
                    o.topic(), r.sent(), r.acked(), r.found(), r.lost(), r.unackedFound(), r.duplicates(), r.foreign(),
                    drain);
        }
        System.out.printf(Locale.ROOT, "result label=%s requests=%d ok=%d seconds=%.3f rate=%.1f dp_rate=%.0f p50_ms=%.2f"
                        + " p90_ms=%.2f p99_ms=%.2f max_ms=%.2f statuses=%s errors=%d client_cpu_pct=%.0f body_bytes=%d"
                        + " sent=%s acked=%s found=%s lost=%s unacked_found=%s duplicates=%s drain_s=%.1f%s%n",
                o.label(), measured, ok, seconds, rate, rate * o.pointsPerRequest(), ms(latency.percentile(0.5)),
                ms(latency.percentile(0.9)), ms(latency.percentile(0.99)), ms(latency.max()), byStatus, errors,
                100.0 * cpu / 1e9 / cpuSeconds, bodyBytes, r == null ? "" : r.sent(), r == null ? "" : r.acked(),
                r == null ? "" : r.found(), r == null ? "" : r.lost(), r == null ? "" : r.unackedFound(),
                r == null ? "" : r.duplicates(), drain, watched);
        return r != null && r.lost() > 0 ? 1 : 0;
    }

    private static double ms(long micros) {
        return micros < 0 ? Double.NaN : micros / 1000.0;
    }

    /**
     * Waits until the topic stops growing (a memory channel delivers after it answered), then reads it whole into the
     * ledger; returns the seconds from {@code lastAnswer} to the topic's last growth.
     */
    private static double count(Options o, DeliveryLedger ledger, long lastAnswer) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, o.bootstrap());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "tsdbpipe-gateway-load");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Integer.toString(64 << 20));
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(16 << 20));
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo info : consumer.partitionsFor(o.topic(), Duration.ofSeconds(30))) {
                partitions.add(new TopicPartition(o.topic(), info.partition()));
            }
            long deadline = System.nanoTime() + (long) (o.maxWait() * 1e9);
            long total = -1;
            long grewAt = lastAnswer;
            Map<TopicPartition, Long> end;
            while (true) {
                Map<TopicPartition, Long> offsets = consumer.endOffsets(partitions);
                end = offsets;
                long sum = offsets.values().stream().mapToLong(Long::longValue).sum();
                long now = System.nanoTime();
                if (total < 0) {
                    total = sum; // the first look: what is there came before (or with) the last answer
                } else if (sum != total) {
                    total = sum;
                    grewAt = now;
                } else if (now - grewAt >= o.settle() * 1e9) {
                    break;
                }
                if (now >= deadline) {
                    System.out.println("kafka: the topic still grows after " + o.maxWait() + " s; counting what is there");
                    break;
                }
                sleep(250);
            }
            Map<TopicPartition, Long> endOffsets = end;
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long read = 0;
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < endOffsets.get(tp))) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.offset() < endOffsets.get(new TopicPartition(record.topic(), record.partition()))) {
                        ledger.found(record.value());
                        read++;
                    }
                }
            }
            System.out.printf(Locale.ROOT, "kafka: read %d records of %s%n", read, o.topic());
            // the last growth, less the settle poll's own granularity
            return Math.max(0, (grewAt - lastAnswer) / 1e9);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
