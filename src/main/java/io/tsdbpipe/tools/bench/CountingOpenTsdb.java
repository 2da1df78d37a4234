package io.tsdbpipe.tools.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.zip.GZIPInputStream;

/**
 * An OpenTSDB-protocol endpoint that stores nothing: it parses {@code POST /api/put} bodies (gzip or not, one point or
 * an array) with Jackson's streaming parser, counts the points and answers exactly like OpenTSDB 2.4.1 answers when
 * every point is good (204; {@code ?summary}: 200 {@code {"success":N,"failed":0}}; {@code ?details}: 200
 * {@code {"success":N,"failed":0,"errors":[]}}, with {@code "timeouts":0} under {@code ?sync}), so that the job's sink
 * counts every point as proven stored. Bodies OpenTSDB refuses as a whole (empty, unparseable, {@code []}) get its
 * 400 answers. The benchmark's receiver that is not the bottleneck: it finds what the job alone can push.
 *
 * <p>Points whose timestamp is in milliseconds and within the last hour also give a latency (the time of the answer
 * minus the timestamp): a load generator that stamps points with the wall clock measures produced-to-acknowledged.
 * {@code GET /stats} answers the counts, the latency percentiles and a per-second series as JSON (without the series:
 * {@code ?brief});
 * {@code POST /reset} starts them again. {@code GET /api/version} answers like a TSD (readiness checks).
 *
 * <p>{@code CountingOpenTsdb [--port P] [--threads T]}: runs until killed, on 127.0.0.1 (port 0: a free one, printed).
 */
public final class CountingOpenTsdb implements AutoCloseable {

    /** OpenTSDB takes millisecond timestamps from 2^32 on (docs/opentsdb-put.md section 2). */
    private static final long MILLIS_FLOOR = 1L << 32;
    private static final long LATENCY_WINDOW_MILLIS = TimeUnit.HOURS.toMillis(1);
    /** The body stream stays open after the parser: what is left of it is drained for keep-alive. */
    private static final JsonFactory JSON =
            JsonFactory.builder().disable(StreamReadFeature.AUTO_CLOSE_SOURCE).build();

    private final HttpServer server;
    private final ExecutorService executor;
    private final LongSupplier clock;
    private final Object lock = new Object();
    // guarded by lock
    private Totals totals = new Totals();

    private CountingOpenTsdb(HttpServer server, ExecutorService executor, LongSupplier clock) {
        this.server = server;
        this.executor = executor;
        this.clock = clock;
    }

    /** Starts on 127.0.0.1:{@code port} (0: a free port) with {@code threads} handler threads. */
    public static CountingOpenTsdb start(int port, int threads) throws IOException {
        return start(port, threads, System::currentTimeMillis);
    }

    static CountingOpenTsdb start(int port, int threads, LongSupplier clock) throws IOException {
        // Without TCP_NODELAY an answer's headers and body leave in two segments and the second waits for the
        // client's delayed ACK (~40 ms a request). Read once, when the JDK's server starts its first instance.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 256);
        ExecutorService executor = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "counting-opentsdb");
            t.setDaemon(true);
            return t;
        });
        CountingOpenTsdb tsd = new CountingOpenTsdb(server, executor, clock);
        server.createContext("/", tsd::handle);
        server.setExecutor(executor);
        server.start();
        return tsd;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String url() {
        return "http://127.0.0.1:" + port();
    }

    /** Points counted since the start or the last {@link #reset}. */
    public long points() {
        synchronized (lock) {
            return totals.points;
        }
    }

    public void reset() {
        synchronized (lock) {
            totals = new Totals();
        }
    }

    /** The {@code GET /stats} document; without {@code perSecond} ({@code ?brief}) only the totals. */
    public String statsJson(boolean perSecond) {
        synchronized (lock) {
            return totals.json(perSecond);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    // ------------------------------------------------------------------------------------------ HTTP

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if (path.equals("/api/put")) {
                if (method.equals("POST")) {
                    put(exchange);
                } else {
                    error(exchange, 405, "Method not allowed", "The HTTP method [" + method + "] is not permitted for this endpoint");
                }
            } else if (path.equals("/stats") && method.equals("GET")) {
                boolean brief = hasParameter(exchange.getRequestURI().getRawQuery(), "brief");
                send(exchange, 200, statsJson(!brief).getBytes(StandardCharsets.UTF_8));
            } else if (path.equals("/reset") && method.equals("POST")) {
                drain(exchange.getRequestBody());
                reset();
                send(exchange, 204, null);
            } else if (path.equals("/api/version")) {
                send(exchange, 200, "{\"version\":\"2.4.1\",\"short_revision\":\"counting\"}"
                        .getBytes(StandardCharsets.UTF_8));
            } else {
                error(exchange, 404, "Endpoint not found", "The requested endpoint was not found");
            }
        }
    }

    private void put(HttpExchange exchange) throws IOException {
        String query = exchange.getRequestURI().getRawQuery();
        boolean details = hasParameter(query, "details");
        boolean summary = hasParameter(query, "summary");
        boolean sync = hasParameter(query, "sync");
        CountingInputStream wire = new CountingInputStream(exchange.getRequestBody());
        String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
        Scan scan = new Scan(clock.getAsLong());
        String refusal;
        try {
            InputStream body = encoding != null && encoding.equalsIgnoreCase("gzip") ? new GZIPInputStream(wire, 8192) : wire;
            refusal = scan.read(body);
        } catch (IOException e) {
            refusal = "Unable to parse the given JSON";
        }
        drain(wire);
        if (refusal != null) {
            error(exchange, 400, refusal, refusal.startsWith("Unable") ? "the body is not JSON of data points" : "");
            return;
        }
        long now = clock.getAsLong();
        synchronized (lock) {
            totals.add(scan, wire.count, now);
        }
        if (details) {
            send(exchange, 200, ("{\"success\":" + scan.points + (sync ? ",\"timeouts\":0" : "")
                    + ",\"failed\":0,\"errors\":[]}").getBytes(StandardCharsets.UTF_8));
        } else if (summary) {
            send(exchange, 200, ("{\"success\":" + scan.points + (sync ? ",\"timeouts\":0" : "") + ",\"failed\":0}")
                    .getBytes(StandardCharsets.UTF_8));
        } else {
            send(exchange, 204, null);
        }
    }

    private static boolean hasParameter(String query, String name) {
        if (query == null) {
            return false;
        }
        for (String part : query.split("&")) {
            int eq = part.indexOf('=');
            if ((eq < 0 ? part : part.substring(0, eq)).equals(name)) {
                return true;
            }
        }
        return false;
    }

    private static void error(HttpExchange exchange, int status, String message, String details) throws IOException {
        String body = "{\"error\":{\"code\":" + status + ",\"message\":\"" + message + "\",\"details\":\"" + details
                + "\"}}";
        send(exchange, status, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        if (body == null) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** Reads what is left of a request body, so that the connection can carry the next request. */
    private static void drain(InputStream in) throws IOException {
        byte[] buffer = new byte[8192];
        while (in.read(buffer) >= 0) {
            // discard
        }
    }

    // ------------------------------------------------------------------------------------------ counting

    /** One request body: its points, and the latencies of those with recent millisecond timestamps. */
    static final class Scan {
        private final long now;
        long points;
        final LatencyHistogram latency = new LatencyHistogram();

        Scan(long now) {
            this.now = now;
        }

        /** Counts the points of a body; returns OpenTSDB's message when it would refuse the whole body, else null. */
        String read(InputStream body) throws IOException {
            try (JsonParser p = JSON.createParser(body)) {
                JsonToken t = p.nextToken();
                if (t == null) {
                    return "Missing request content";
                }
                if (t == JsonToken.START_OBJECT) {
                    point(p);
                } else if (t == JsonToken.START_ARRAY) {
                    while ((t = p.nextToken()) == JsonToken.START_OBJECT) {
                        point(p);
                    }
                    if (t != JsonToken.END_ARRAY) {
                        return "Unable to parse the given JSON";
                    }
                } else {
                    return "Unable to parse the given JSON";
                }
                if (p.nextToken() != null) {
                    return "Unable to parse the given JSON";
                }
            }
            return points == 0 ? "No datapoints found in content" : null;
        }

        private void point(JsonParser p) throws IOException {
            long timestamp = -1;
            String name;
            while ((name = p.nextFieldName()) != null) {
                JsonToken value = p.nextToken();
                if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
                    p.skipChildren();
                } else if (value == JsonToken.VALUE_NUMBER_INT && name.equals("timestamp")) {
                    timestamp = p.getLongValue();
                }
            }
            points++;
            if (timestamp >= MILLIS_FLOOR) {
                long age = now - timestamp;
                if (age >= -1000 && age <= LATENCY_WINDOW_MILLIS) {
                    latency.record(age);
                }
            }
        }
    }

    /** Everything since the start or the last reset. */
    private static final class Totals {
        long points;
        long requests;
        long bytes;
        long firstMillis = -1;
        long lastMillis = -1;
        final LatencyHistogram latency = new LatencyHistogram();
        /** Epoch second -> that second's points, requests, and latencies. */
        final TreeMap<Long, Second> seconds = new TreeMap<>();

        void add(Scan scan, long wireBytes, long now) {
            points += scan.points;
            requests++;
            bytes += wireBytes;
            firstMillis = firstMillis < 0 ? now : firstMillis;
            lastMillis = now;
            Second s = seconds.computeIfAbsent(now / 1000, k -> new Second());
            s.points += scan.points;
            s.requests++;
            if (scan.latency.count() > 0) {
                latency.add(scan.latency);
                s.latency.add(scan.latency);
            }
        }

        String json(boolean perSecond) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (JsonGenerator g = JSON.createGenerator(out)) {
                g.writeStartObject();
                g.writeNumberField("points", points);
                g.writeNumberField("requests", requests);
                g.writeNumberField("bytes", bytes);
                g.writeNumberField("firstMillis", firstMillis);
                g.writeNumberField("lastMillis", lastMillis);
                g.writeNumberField("latencyPoints", latency.count());
                writeLatency(g, latency);
                g.writeArrayFieldStart("seconds");
                for (Map.Entry<Long, Second> e : perSecond ? seconds.entrySet() : Map.<Long, Second>of().entrySet()) {
                    g.writeStartObject();
                    g.writeNumberField("second", e.getKey());
                    g.writeNumberField("points", e.getValue().points);
                    g.writeNumberField("requests", e.getValue().requests);
                    writeLatency(g, e.getValue().latency);
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return out.toString(StandardCharsets.UTF_8);
        }

        private static void writeLatency(JsonGenerator g, LatencyHistogram h) throws IOException {
            g.writeNumberField("p50", h.percentile(0.50));
            g.writeNumberField("p90", h.percentile(0.90));
            g.writeNumberField("p99", h.percentile(0.99));
            g.writeNumberField("max", h.max());
        }
    }

    private static final class Second {
        long points;
        long requests;
        final LatencyHistogram latency = new LatencyHistogram();
    }

    private static final class CountingInputStream extends FilterInputStream {
        long count;

        CountingInputStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }

    // ------------------------------------------------------------------------------------------ command line

    public static void main(String[] args) throws Exception {
        int port = 4243;
        int threads = 2;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port": port = Integer.parseInt(args[++i]); break;
                case "--threads": threads = Integer.parseInt(args[++i]); break;
                case "-h":
                case "--help":
                    System.out.println("Usage: CountingOpenTsdb [--port P (default 4243; 0: free)] [--threads T (default 2)]\n"
                            + "POST /api/put like OpenTSDB 2.4.1; GET /stats; POST /reset");
                    return;
                default:
                    System.err.println("CountingOpenTsdb: unknown option " + args[i]);
                    System.exit(2);
            }
        }
        CountingOpenTsdb tsd = start(port, threads);
        Runtime.getRuntime().addShutdownHook(new Thread(tsd::close, "counting-opentsdb-stop"));
        System.out.println("counting OpenTSDB endpoint listening on " + tsd.url());
        System.out.flush();
        Thread.currentThread().join();
    }
}
