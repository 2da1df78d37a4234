package io.tsdbpipe.testing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;

/**
 * An in-JVM HTTP server on 127.0.0.1 that answers {@code POST /api/put} the way OpenTSDB 2.4.1 does (docs/opentsdb-put.md):
 * 204 / 200 {@code ?details} / 400 with per-point details, OpenTSDB's per-point rules and error texts, gzip request
 * bodies, the 8192-byte body limit of a default TSD ({@link LargeBody}), a read-only mode (404) and an optional
 * required header (401). Accepted points are stored. Scripted faults are consumed one per request, in order: a status
 * ({@link #failNext}), any answer at all, e.g. a proxy's HTML 200 or a truncated body ({@link #answerNext}), a delay
 * before a normal answer ({@link #delayNext}), a connection closed without an answer ({@link #closeNext}), a normal
 * put whose summary lists fewer errors than failed ({@link #listErrorsNext}), loses its last point
 * ({@link #dropLastPointNext}) or echoes refused points unrecognisably ({@link #mangleEchoesNext}), an annotation
 * write that loses a concurrent compare-and-set ({@link #annotationConflictNext}); and per point, "Please throttle"
 * for the first N sends of a metric ({@link #throttle}).
 *
 * <p>It also answers {@code GET/POST /api/annotation} like OpenTSDB 2.4.1 (checked against the real one): an annotation
 * is identified by its {@code startTime} and {@code tsuid} (empty: global), a GET of an absent one answers 404 "Unable
 * to locate annotation in storage", and a POST replaces the fields it gives, the whole {@code custom} map included.
 * The same scripted faults and body limit apply; {@link #annotations()} gives what is stored.
 */
public final class TestingOpenTsdbServer implements AutoCloseable {

    /** What a body over {@value #UNCHUNKED_LIMIT} bytes meets. */
    public enum LargeBody {
        /** Chunking enabled with a large max_chunk: accepted. */
        ACCEPT,
        /** Default TSD (tsd.http.request.enable_chunked=false): 400 HTML "Chunked request not supported." */
        REFUSE_CHUNKED,
        /** Chunking enabled with the default max_chunk=4096: the connection is closed without an answer. */
        CLOSE
    }

    /** A point the server stored, with its value exactly as it arrived. */
    public static final class StoredPoint {
        public final String metric;
        public final long timestamp;
        public final String value;
        public final SortedMap<String, String> tags;

        StoredPoint(String metric, long timestamp, String value, SortedMap<String, String> tags) {
            this.metric = metric;
            this.timestamp = timestamp;
            this.value = value;
            this.tags = tags;
        }

        /** {@code metric{k=v,..} timestamp value}: the same text as {@code DataPoint.toString()}. */
        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(metric).append('{');
            boolean first = true;
            for (Map.Entry<String, String> t : tags.entrySet()) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                sb.append(t.getKey()).append('=').append(t.getValue());
            }
            return sb.append("} ").append(timestamp).append(' ').append(value).toString();
        }
    }

    /** One request as it arrived. */
    public static final class Request {
        public final int wireBytes;
        public final boolean gzip;
        public final String query;
        public final Map<String, List<String>> headers;
        public volatile int points = -1;
        public volatile int status = -1;

        Request(int wireBytes, boolean gzip, String query, Map<String, List<String>> headers) {
            this.wireBytes = wireBytes;
            this.gzip = gzip;
            this.query = query;
            this.headers = headers;
        }
    }

    public static final int UNCHUNKED_LIMIT = 8192;

    private static final JsonFactory JSON = new JsonFactory();
    private static final String CHUNKED_PAGE = "<!DOCTYPE html><html><head><meta http-equiv=content-type "
            + "content=\"text/html;charset=utf-8\"><title>Bad Request</title><style><!-- body{font-family:arial} "
            + "--></style></head><body><table><tr><td><blockquote><h1>Bad Request</h1>Sorry but your request was "
            + "rejected as being invalid.<br/><br/>The reason provided was:<blockquote>Chunked request not supported."
            + "</blockquote></blockquote></td></tr></table></body></html>";

    private volatile HttpServer server;
    private final int port;
    private final ExecutorService executor;
    private final ConcurrentLinkedQueue<Fault> faults = new ConcurrentLinkedQueue<>();
    private final Map<String, AtomicInteger> throttles = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<StoredPoint> stored = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Request> requests = new ConcurrentLinkedQueue<>();
    private final Set<String> knownMetrics = ConcurrentHashMap.newKeySet();
    private final Map<String, ObjectNode> annotations = new ConcurrentHashMap<>();
    private final ObjectMapper mapper = new ObjectMapper();

    private volatile int maxTags = 8;
    private volatile boolean autoCreateMetrics = true;
    private volatile LargeBody largeBody = LargeBody.REFUSE_CHUNKED;
    private volatile boolean readOnly;
    private volatile String requiredHeaderName;
    private volatile String requiredHeaderValue;
    private volatile int outageStatus;
    private final AtomicInteger concurrent = new AtomicInteger();
    private final AtomicInteger maxConcurrent = new AtomicInteger();

    private TestingOpenTsdbServer(int port) throws IOException {
        executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "testing-opentsdb");
            t.setDaemon(true);
            return t;
        });
        server = listen(port);
        this.port = server.getAddress().getPort();
    }

    private HttpServer listen(int port) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        s.setExecutor(executor);
        s.createContext("/api/put", this::handle);
        s.createContext("/api/annotation", this::handle);
        s.start();
        return s;
    }

    /** A server on a free port of 127.0.0.1. */
    public static TestingOpenTsdbServer start() {
        return startOn(0);
    }

    public static TestingOpenTsdbServer startOn(int port) {
        try {
            return new TestingOpenTsdbServer(port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + port();
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    // ------------------------------------------------------------------------------ TSD settings

    public TestingOpenTsdbServer maxTags(int max) {
        this.maxTags = max;
        return this;
    }

    /** tsd.core.auto_create_metrics=false: only these metrics exist, any other is "Unknown metric". */
    public TestingOpenTsdbServer onlyMetrics(String... metrics) {
        this.autoCreateMetrics = false;
        Collections.addAll(knownMetrics, metrics);
        return this;
    }

    public TestingOpenTsdbServer largeBody(LargeBody mode) {
        this.largeBody = mode;
        return this;
    }

    /** tsd.mode=ro: /api/put answers 404. */
    public TestingOpenTsdbServer readOnly() {
        this.readOnly = true;
        return this;
    }

    /** Answers 401 to requests without this header and value. */
    public TestingOpenTsdbServer requireHeader(String name, String value) {
        this.requiredHeaderName = name;
        this.requiredHeaderValue = value;
        return this;
    }

    // ------------------------------------------------------------------------------ faults

    /** The next {@code n} puts echo refused points with the metric upper-cased, so that no echo matches a sent point. */
    public TestingOpenTsdbServer mangleEchoesNext(int n) {
        return add(n, Fault.Kind.MANGLE_ECHOES, f -> { });
    }

    /** The next {@code n} requests get {@code status} and an OpenTSDB error body, nothing stored. */
    public TestingOpenTsdbServer failNext(int n, int status) {
        return add(n, Fault.Kind.STATUS, f -> f.status = status);
    }

    /**
     * The next {@code n} requests get exactly this answer (no body when {@code body} is empty), nothing stored: what a
     * proxy or a broken TSD may answer.
     */
    public TestingOpenTsdbServer answerNext(int n, int status, String contentType, String body) {
        return add(n, Fault.Kind.ANSWER, f -> {
            f.status = status;
            f.contentType = contentType;
            f.body = bytes(body);
        });
    }

    /** The next {@code n} puts are handled normally, but their {@code ?details} list at most {@code max} errors. */
    public TestingOpenTsdbServer listErrorsNext(int n, int max) {
        return add(n, Fault.Kind.LIST_ERRORS, f -> f.maxListed = max);
    }

    /** The next {@code n} puts lose their last point: neither stored nor counted in the summary. */
    public TestingOpenTsdbServer dropLastPointNext(int n) {
        return add(n, Fault.Kind.DROP_LAST, f -> { });
    }

    /**
     * The next request, if it is an annotation write, loses a compare-and-set: a concurrent writer stores
     * {@code key: value} into the custom map of that annotation first, and the answer is OpenTSDB's 304.
     */
    public TestingOpenTsdbServer annotationConflictNext(String key, String value) {
        return add(1, Fault.Kind.ANNOTATION_CONFLICT, f -> {
            f.conflictKey = key;
            f.conflictValue = value;
        });
    }

    /** The next {@code n} requests are answered normally (points stored) only after {@code delay}. */
    public TestingOpenTsdbServer delayNext(int n, Duration delay) {
        return add(n, Fault.Kind.DELAY, f -> f.delay = delay);
    }

    /** The next {@code n} requests are read, then the connection is closed without an answer, nothing stored. */
    public TestingOpenTsdbServer closeNext(int n) {
        return add(n, Fault.Kind.CLOSE, f -> { });
    }

    private TestingOpenTsdbServer add(int n, Fault.Kind kind, java.util.function.Consumer<Fault> setup) {
        for (int i = 0; i < n; i++) {
            Fault f = new Fault(kind);
            setup.accept(f);
            faults.add(f);
        }
        return this;
    }

    /** Every request gets {@code status} and an OpenTSDB error body, nothing stored, until {@link #endOutage}. */
    public TestingOpenTsdbServer outage(int status) {
        this.outageStatus = status;
        return this;
    }

    /** Stops listening: connections are refused (the TSD process is down), until {@link #endOutage}. */
    public TestingOpenTsdbServer refuseConnections() {
        server.stop(0);
        return this;
    }

    /** Answers normally again, listening again on the same port if it was not. */
    public TestingOpenTsdbServer endOutage() {
        outageStatus = 0;
        try {
            try (java.net.Socket probe = new java.net.Socket(InetAddress.getLoopbackAddress(), port)) {
                return this; // still listening
            } catch (IOException refused) {
                server = listen(port);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** The first {@code times} sends of every point of {@code metric} fail with "Please throttle". */
    public TestingOpenTsdbServer throttle(String metric, int times) {
        throttles.put(metric, new AtomicInteger(times));
        return this;
    }

    // ------------------------------------------------------------------------------ results

    public List<StoredPoint> stored() {
        return new ArrayList<>(stored);
    }

    /** The stored points as {@code DataPoint.toString()} texts. */
    public List<String> storedTexts() {
        List<String> texts = new ArrayList<>();
        for (StoredPoint p : stored) {
            texts.add(p.toString());
        }
        return texts;
    }

    public List<Request> requests() {
        return new ArrayList<>(requests);
    }

    /** The most requests that were being handled at the same time. */
    public int maxConcurrentRequests() {
        return maxConcurrent.get();
    }

    /** The event ids an annotation holds: its custom fields but the {@code _} counters ({@code _events}, ...). */
    public static Set<String> eventIds(JsonNode annotation) {
        Set<String> ids = new HashSet<>();
        annotation.get("custom").fieldNames().forEachRemaining(k -> {
            if (!k.startsWith("_")) {
                ids.add(k);
            }
        });
        return ids;
    }

    /** The stored annotations by {@code tsuid + ":" + startTime} (tsuid empty for global ones), as JSON. */
    public Map<String, JsonNode> annotations() {
        return new TreeMap<>(annotations);
    }

    /** The global annotation of a second, or null. */
    public JsonNode globalAnnotation(long startTime) {
        return annotations.get(":" + startTime);
    }

    // ------------------------------------------------------------------------------ the TSD

    private static final class Fault {
        enum Kind { STATUS, ANSWER, DELAY, CLOSE, LIST_ERRORS, DROP_LAST, MANGLE_ECHOES, ANNOTATION_CONFLICT }

        final Kind kind;
        int status;
        String contentType;
        byte[] body;
        Duration delay;
        int maxListed = Integer.MAX_VALUE;
        String conflictKey;
        String conflictValue;

        Fault(Kind kind) {
            this.kind = kind;
        }

        static boolean is(Fault f, Kind kind) {
            return f != null && f.kind == kind;
        }
    }

    /** A point as parsed from the request, before the rules. */
    private static final class Incoming {
        String metric;
        String timestamp;
        String value;
        Map<String, String> tags;
    }

    private void handle(HttpExchange ex) throws IOException {
        maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
        try {
            handleOne(ex);
        } finally {
            concurrent.decrementAndGet();
        }
    }

    private void handleOne(HttpExchange ex) throws IOException {
        byte[] wire = ex.getRequestBody().readAllBytes();
        String encoding = ex.getRequestHeaders().getFirst("Content-Encoding");
        boolean gzip = encoding != null && encoding.equalsIgnoreCase("gzip");
        String query = ex.getRequestURI().getRawQuery() == null ? "" : ex.getRequestURI().getRawQuery();
        Request request = new Request(wire.length, gzip, query, Map.copyOf(ex.getRequestHeaders()));
        requests.add(request);
        try {
            int outage = outageStatus;
            if (outage > 0) {
                error(ex, request, outage, "Scripted outage");
                return;
            }
            Fault fault = faults.poll();
            if (Fault.is(fault, Fault.Kind.CLOSE)) {
                ex.close(); // before any response header: the client sees the connection closed
                return;
            }
            if (Fault.is(fault, Fault.Kind.STATUS)) {
                error(ex, request, fault.status, "Scripted failure");
                return;
            }
            if (Fault.is(fault, Fault.Kind.ANSWER)) {
                respond(ex, request, fault.status, fault.contentType, fault.body);
                return;
            }
            if (Fault.is(fault, Fault.Kind.DELAY)) {
                Thread.sleep(fault.delay.toMillis());
            }
            boolean annotation = ex.getRequestURI().getPath().startsWith("/api/annotation");
            if (!ex.getRequestMethod().equals("POST") && !(annotation && ex.getRequestMethod().equals("GET"))) {
                error(ex, request, 405, "Method not allowed");
                return;
            }
            if (readOnly) {
                error(ex, request, 404, "Endpoint not found");
                return;
            }
            if (requiredHeaderName != null
                    && !requiredHeaderValue.equals(ex.getRequestHeaders().getFirst(requiredHeaderName))) {
                error(ex, request, 401, "Unauthorized");
                return;
            }
            if (wire.length > UNCHUNKED_LIMIT && largeBody == LargeBody.REFUSE_CHUNKED) {
                respond(ex, request, 400, "text/html; charset=UTF-8", CHUNKED_PAGE.getBytes(StandardCharsets.UTF_8));
                return;
            }
            if (wire.length > UNCHUNKED_LIMIT && largeBody == LargeBody.CLOSE) {
                ex.close();
                return;
            }
            byte[] body = gzip ? gunzip(wire) : wire;
            if (annotation) {
                annotation(ex, request, body, query, fault);
            } else {
                put(ex, request, body, query, fault);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ex.close();
        } catch (RuntimeException | IOException e) {
            error(ex, request, 500, "Unexpected exception: " + e);
        }
    }

    /** OpenTSDB 2.4.1's AnnotationRpc for global and TSUID annotations: GET by start_time (+ tsuid), POST merges fields. */
    private void annotation(HttpExchange ex, Request request, byte[] body, String query, Fault fault)
            throws IOException {
        if (ex.getRequestMethod().equals("GET")) {
            String start = param(query, "start_time");
            if (start == null) {
                error(ex, request, 400, "Missing start time");
                return;
            }
            ObjectNode stored = annotations.get(orEmpty(param(query, "tsuid")) + ":" + start);
            if (stored == null) {
                error(ex, request, 404, "Unable to locate annotation in storage");
                return;
            }
            respond(ex, request, 200, "application/json", mapper.writeValueAsBytes(stored));
            return;
        }
        JsonNode in;
        try {
            in = mapper.readTree(body);
        } catch (IOException e) {
            error(ex, request, 400, "Unable to parse the given JSON", e.getMessage());
            return;
        }
        if (in == null || !in.isObject() || !in.path("startTime").canConvertToLong() || in.path("startTime").asLong() < 1) {
            error(ex, request, 400, "Missing start time");
            return;
        }
        String tsuid = in.path("tsuid").asText("");
        String key = tsuid + ":" + in.path("startTime").asLong();
        synchronized (annotations) {
            ObjectNode stored = annotations.get(key);
            if (Fault.is(fault, Fault.Kind.ANNOTATION_CONFLICT)) {
                // Another writer got there first: its change is stored, this one's compare-and-set fails.
                ObjectNode winner = stored != null ? stored : mapper.createObjectNode().put("tsuid", tsuid)
                        .put("startTime", in.path("startTime").asLong()).put("endTime", 0);
                ObjectNode custom = winner.has("custom") && winner.get("custom").isObject()
                        ? (ObjectNode) winner.get("custom") : winner.putObject("custom");
                custom.put(fault.conflictKey, fault.conflictValue);
                annotations.put(key, winner);
                respond(ex, request, 304, null, new byte[0]);
                return;
            }
            ObjectNode next = mapper.createObjectNode();
            next.put("tsuid", tsuid);
            for (String field : new String[] {"description", "notes", "custom", "startTime", "endTime"}) {
                JsonNode v = in.has(field) ? in.get(field) : stored != null ? stored.get(field) : null;
                if (v != null) {
                    next.set(field, v);
                }
            }
            if (!next.has("endTime")) {
                next.put("endTime", 0);
            }
            annotations.put(key, next);
            respond(ex, request, 200, "application/json", mapper.writeValueAsBytes(next));
        }
    }

    private static String param(String query, String name) {
        for (String part : query.split("&")) {
            int eq = part.indexOf('=');
            if (eq > 0 && part.substring(0, eq).equals(name)) {
                return java.net.URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    private void put(HttpExchange ex, Request request, byte[] body, String query, Fault fault) throws IOException {
        boolean details = hasParam(query, "details");
        boolean summary = hasParam(query, "summary");
        boolean sync = hasParam(query, "sync");
        if (body.length == 0) {
            error(ex, request, 400, "Missing request content");
            return;
        }
        List<Incoming> points;
        try {
            points = parse(body);
        } catch (IOException | RuntimeException e) {
            error(ex, request, 400, "Unable to parse the given JSON", e.getMessage());
            return;
        }
        if (points.isEmpty()) {
            error(ex, request, 400, "No datapoints found in content");
            return;
        }
        request.points = points.size();
        if (Fault.is(fault, Fault.Kind.DROP_LAST)) {
            points.remove(points.size() - 1);
        }
        int success = 0;
        List<String[]> errors = new ArrayList<>(); // {echo JSON, error}
        for (Incoming p : points) {
            String error = check(p);
            if (error == null) {
                stored.add(new StoredPoint(p.metric, Long.parseLong(p.timestamp), p.value, new TreeMap<>(p.tags)));
                success++;
            } else {
                errors.add(new String[] {echo(p, Fault.is(fault, Fault.Kind.MANGLE_ECHOES)), error});
            }
        }
        int failed = errors.size();
        if (Fault.is(fault, Fault.Kind.LIST_ERRORS) && errors.size() > fault.maxListed) {
            errors = errors.subList(0, fault.maxListed);
        }
        if (details) {
            StringBuilder sb = new StringBuilder("{\"success\":").append(success);
            if (sync) {
                sb.append(",\"timeouts\":0");
            }
            sb.append(",\"failed\":").append(failed).append(",\"errors\":[");
            for (int i = 0; i < errors.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                sb.append("{\"datapoint\":").append(errors.get(i)[0]).append(",\"error\":")
                        .append(jsonString(errors.get(i)[1])).append('}');
            }
            sb.append("]}");
            respond(ex, request, failed == 0 ? 200 : 400, "application/json", bytes(sb.toString()));
        } else if (summary) {
            respond(ex, request, failed == 0 ? 200 : 400, "application/json",
                    bytes("{\"success\":" + success + ",\"failed\":" + failed + "}"));
        } else if (failed == 0) {
            respond(ex, request, 204, null, new byte[0]);
        } else {
            error(ex, request, 400, "One or more data points had errors",
                    "Please see the TSD logs or append \"details\" to the put request");
        }
    }

    /** OpenTSDB 2.4.1's checks, in its order (IncomingDataPoint.validate, PutDataPointRpc, TSDB.addPoint). */
    private String check(Incoming p) {
        if (p.metric == null || p.metric.isEmpty()) {
            return "Metric name was empty";
        }
        long ts;
        try {
            ts = Long.parseLong(p.timestamp);
        } catch (RuntimeException e) {
            return "Invalid timestamp";
        }
        if (ts <= 0) {
            return "Invalid timestamp";
        }
        if (p.value == null || p.value.isEmpty()) {
            return "Empty value";
        }
        if (p.tags == null || p.tags.isEmpty()) {
            return "Missing tags";
        }
        String v = p.value;
        boolean integer = v.indexOf('.') < 0 && v.indexOf('e') < 0 && v.indexOf('E') < 0;
        try {
            if (integer) {
                Long.parseLong(v);
            } else {
                double d = Double.parseDouble(v);
                if (Double.isNaN(d) || Double.isInfinite(d)) {
                    return "value is NaN or Infinite: " + v + " for metric=" + p.metric + " timestamp=" + ts;
                }
            }
        } catch (NumberFormatException e) {
            return "Unable to parse value to a number";
        }
        // OpenTSDB 2.4's addPoint: milliseconds (an upper bit set) of more than 13 digits; shorter ones are stored
        if ((ts & 0xFFFFFFFF00000000L) != 0 && ts > 9_999_999_999_999L) {
            return "bad timestamp=" + ts + " when trying to add value=" + v;
        }
        String bad = invalid("metric name", p.metric);
        if (bad != null) {
            return bad;
        }
        if (p.tags.size() > maxTags) {
            return "Too many tags: " + p.tags.size() + " maximum allowed: " + maxTags + ", tags: " + p.tags;
        }
        for (Map.Entry<String, String> t : p.tags.entrySet()) {
            bad = invalid("tag name", t.getKey());
            if (bad == null) {
                bad = invalid("tag value with key [" + t.getKey() + "]", t.getValue());
            }
            if (bad != null) {
                return bad;
            }
        }
        if (!autoCreateMetrics && !knownMetrics.contains(p.metric)) {
            return "Unknown metric";
        }
        AtomicInteger throttle = throttles.get(p.metric);
        if (throttle != null && throttle.getAndDecrement() > 0) {
            return "Please throttle";
        }
        return null;
    }

    /** Tags.validateString: a-z A-Z 0-9 - _ . / and Unicode letters. */
    private static String invalid(String what, String s) {
        if (s == null || s.isEmpty()) {
            return "Invalid " + what + " (\"\"): empty string";
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9') || c == '-'
                    || c == '_' || c == '.' || c == '/' || Character.isLetter(c))) {
                return "Invalid " + what + " (\"" + s + "\"): illegal character: " + c;
            }
        }
        return null;
    }

    /** The point as OpenTSDB echoes it: IncomingDataPoint through Jackson, the value as a string. */
    private static String echo(Incoming p, boolean mangle) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            if (p.metric != null) {
                g.writeStringField("metric", mangle ? p.metric.toUpperCase(java.util.Locale.ROOT) : p.metric);
            }
            long ts = 0;
            try {
                ts = Long.parseLong(p.timestamp);
            } catch (RuntimeException ignored) {
                // echoed as 0, like an unset long
            }
            g.writeNumberField("timestamp", ts);
            if (p.value != null) {
                g.writeStringField("value", p.value);
            }
            if (p.tags != null) {
                g.writeObjectFieldStart("tags");
                // HashMap order on the TSD: reversed here so that clients cannot rely on the order.
                List<Map.Entry<String, String>> tags = new ArrayList<>(p.tags.entrySet());
                Collections.reverse(tags);
                for (Map.Entry<String, String> t : tags) {
                    g.writeStringField(t.getKey(), t.getValue());
                }
                g.writeEndObject();
            }
            g.writeEndObject();
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static List<Incoming> parse(byte[] body) throws IOException {
        List<Incoming> points = new ArrayList<>();
        try (JsonParser p = JSON.createParser(body)) {
            JsonToken t = p.nextToken();
            if (t == JsonToken.START_ARRAY) {
                while ((t = p.nextToken()) == JsonToken.START_OBJECT) {
                    points.add(point(p));
                }
                if (t != JsonToken.END_ARRAY) {
                    throw new IOException("expected an object or ']', got " + t);
                }
            } else if (t == JsonToken.START_OBJECT) {
                points.add(point(p));
            } else {
                throw new IOException("expected an array or object, got " + t);
            }
            if (p.nextToken() != null) {
                throw new IOException("trailing content");
            }
        }
        return points;
    }

    private static Incoming point(JsonParser p) throws IOException {
        Incoming in = new Incoming();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            switch (field) {
                case "metric":
                    in.metric = t == JsonToken.VALUE_NULL ? null : p.getText();
                    break;
                case "timestamp":
                    in.timestamp = p.getText();
                    break;
                case "value":
                    in.value = t == JsonToken.VALUE_NULL ? null : p.getText();
                    break;
                case "tags":
                    if (t == JsonToken.START_OBJECT) {
                        in.tags = new java.util.LinkedHashMap<>();
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String k = p.currentName();
                            p.nextToken();
                            in.tags.put(k, p.getText());
                        }
                    } else {
                        p.skipChildren();
                    }
                    break;
                default:
                    p.skipChildren();
            }
        }
        return in;
    }

    private static byte[] gunzip(byte[] wire) throws IOException {
        try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(wire))) {
            return in.readAllBytes();
        }
    }

    private static boolean hasParam(String query, String name) {
        for (String part : query.split("&")) {
            int eq = part.indexOf('=');
            if ((eq < 0 ? part : part.substring(0, eq)).equals(name)) {
                return true;
            }
        }
        return false;
    }

    private static void error(HttpExchange ex, Request r, int status, String message) throws IOException {
        error(ex, r, status, message, null);
    }

    private static void error(HttpExchange ex, Request r, int status, String message, String details)
            throws IOException {
        String body = "{\"error\":{\"code\":" + status + ",\"message\":" + jsonString(message)
                + (details == null ? "" : ",\"details\":" + jsonString(details)) + "}}";
        respond(ex, r, status, "application/json", bytes(body));
    }

    private static void respond(HttpExchange ex, Request r, int status, String contentType, byte[] body)
            throws IOException {
        r.status = status;
        if (contentType != null) {
            ex.getResponseHeaders().set("Content-Type", contentType);
        }
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            ex.getResponseBody().write(body);
        }
        ex.close();
    }

    private static String jsonString(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
