package io.tsdbpipe.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An HTTP/1.1 proxy in front of a real TSD: good answers come from the real thing, faults are injected on command.
 *
 * <pre>{@code
 * try (FaultInjectingProxy proxy = FaultInjectingProxy.start(TSDB.url())) {
 *     proxy.fault(Fault.STATUS_503);          // every request until told otherwise
 *     proxy.fault(Fault.THROTTLE, 5);         // the next 5 requests, then forward again
 *     proxy.pass();
 * }
 * }</pre>
 *
 * Faults apply to the paths starting with {@link #faultPaths} ({@code /api/put} by default; {@code "/"} for all), other
 * requests are forwarded. {@link Fault#REFUSE} closes the listening socket (connections are refused) and the proxy
 * binds the same port again when the fault ends. Bound to 127.0.0.1 on a free port.
 */
public final class FaultInjectingProxy implements AutoCloseable {

    /** What the proxy does with a request. */
    public enum Fault {
        /** Forward and return the TSD's answer. */
        NONE,
        /** Refuse connections (nothing listens on the port). */
        REFUSE,
        /** Read the request and never answer: the client times out. */
        STALL,
        /** 500 with OpenTSDB's error JSON, nothing forwarded. */
        STATUS_500,
        /** 503, nothing forwarded. */
        STATUS_503,
        /** 401, nothing forwarded (a TSD behind an authenticating proxy with the wrong credentials). */
        STATUS_401,
        /** 400 with {@code ?details} listing every point as "Please throttle", nothing forwarded. */
        THROTTLE,
        /** 200 with an HTML page (a maintenance page), nothing forwarded. */
        HTML_200,
        /** 200 with {@code {"success":0,"failed":N,"errors":[]}} for N points: failed > errors; nothing forwarded. */
        DETAILS_MISMATCH,
        /** Forward (the TSD stores it), then close the connection without an answer. */
        DROP_AFTER_FORWARD,
        /** Forward after {@link #delay}: a slow TSD. */
        SLOW
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> HOP_HEADERS = Set.of(
            "host", "connection", "content-length", "transfer-encoding", "expect", "upgrade", "keep-alive",
            "proxy-connection", "te", "trailer");

    private final URI upstream;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private final Map<Fault, AtomicInteger> injected = new ConcurrentHashMap<>();
    private final AtomicInteger forwarded = new AtomicInteger();

    private volatile String faultPaths = "/api/put";
    private volatile Duration delay = Duration.ofMillis(500);
    private Fault fault = Fault.NONE;
    private int remaining = -1; // -1: until changed
    private ServerSocket listener;
    private volatile boolean closed;

    private FaultInjectingProxy(String upstreamUrl, int port) {
        this.upstream = URI.create(upstreamUrl.replaceAll("/+$", ""));
        this.port = port;
    }

    /** A proxy in front of {@code upstreamUrl} (e.g. the real TSD's base URL), on a free port. */
    public static FaultInjectingProxy start(String upstreamUrl) throws IOException {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        FaultInjectingProxy proxy = new FaultInjectingProxy(upstreamUrl, port);
        proxy.listen();
        return proxy;
    }

    /** Base URL of the proxy, e.g. {@code http://127.0.0.1:40123}. */
    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Faults apply to request paths starting with this ({@code "/"}: every request). */
    public FaultInjectingProxy faultPaths(String pathPrefix) {
        this.faultPaths = pathPrefix;
        return this;
    }

    /** How long {@link Fault#SLOW} waits before forwarding. */
    public FaultInjectingProxy delay(Duration delay) {
        this.delay = delay;
        return this;
    }

    /** Injects {@code fault} into every request until another fault (or {@link #pass()}) is set. */
    public void fault(Fault fault) {
        fault(fault, -1);
    }

    /** Injects {@code fault} into the next {@code requests} requests, then forwards again. */
    public synchronized void fault(Fault fault, int requests) {
        this.fault = fault;
        this.remaining = requests;
        applyListener();
    }

    /** Forward everything again. */
    public void pass() {
        fault(Fault.NONE, -1);
    }

    /** How many requests got this fault so far. */
    public int injected(Fault fault) {
        return injected.computeIfAbsent(fault, f -> new AtomicInteger()).get();
    }

    /** How many requests were forwarded to the TSD (DROP_AFTER_FORWARD and SLOW included). */
    public int forwarded() {
        return forwarded.get();
    }

    @Override
    public synchronized void close() {
        closed = true;
        closeListener();
        connections.forEach(FaultInjectingProxy::closeQuietly);
    }

    // ------------------------------------------------------------------------------------------------------------

    private synchronized Fault take(String path) {
        if (!path.startsWith(faultPaths) || fault == Fault.NONE) {
            return Fault.NONE;
        }
        Fault f = fault;
        if (remaining > 0 && --remaining == 0) {
            fault = Fault.NONE;
            remaining = -1;
            applyListener();
        }
        injected.computeIfAbsent(f, x -> new AtomicInteger()).incrementAndGet();
        return f;
    }

    private synchronized void applyListener() {
        if (fault == Fault.REFUSE) {
            closeListener();
            connections.forEach(FaultInjectingProxy::closeQuietly);
        } else if (listener == null && !closed) {
            listen();
        }
    }

    private synchronized void listen() {
        IOException last = null;
        for (int attempt = 0; attempt < 50; attempt++) {
            try {
                ServerSocket s = new ServerSocket();
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                listener = s;
                Thread t = new Thread(() -> acceptLoop(s), "fault-proxy-" + port);
                t.setDaemon(true);
                t.start();
                return;
            } catch (IOException e) {
                last = e; // the port is held for a moment after close
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        throw new IllegalStateException("could not bind 127.0.0.1:" + port, last);
    }

    private synchronized void closeListener() {
        if (listener != null) {
            closeQuietly(listener);
            listener = null;
        }
    }

    private void acceptLoop(ServerSocket s) {
        while (!s.isClosed()) {
            try {
                Socket socket = s.accept();
                connections.add(socket);
                Thread t = new Thread(() -> serve(socket), "fault-proxy-conn-" + port);
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            while (true) {
                Request request = Request.read(in);
                if (request == null) {
                    return;
                }
                if (!handle(request, out)) {
                    return;
                }
            }
        } catch (IOException e) {
            // client went away, or the proxy dropped the connection on purpose
        } finally {
            connections.remove(socket);
        }
    }

    /** Returns false when the connection must be closed. */
    private boolean handle(Request request, OutputStream out) throws IOException {
        Fault f = take(request.path);
        switch (f) {
            case REFUSE: // a connection accepted just before the listener closed
                return false;
            case STALL:
                long until = System.nanoTime() + Duration.ofMinutes(5).toNanos();
                while (!closed && System.nanoTime() < until && currentFault() == Fault.STALL) {
                    sleep(100);
                }
                return false; // never answer this request
            case STATUS_500:
                respond(out, 500, "application/json", error(500, "Unexpected exception", "injected by the test proxy"));
                return true;
            case STATUS_503:
                respond(out, 503, "text/plain", "Service Unavailable");
                return true;
            case STATUS_401:
                respond(out, 401, "application/json", error(401, "Unauthorized", "injected by the test proxy"));
                return true;
            case THROTTLE:
                respond(out, 400, "application/json", perPointAnswer(request, "Please throttle", true));
                return true;
            case HTML_200:
                respond(out, 200, "text/html",
                        "<html><body><h1>Maintenance</h1><p>Back soon.</p></body></html>");
                return true;
            case DETAILS_MISMATCH:
                respond(out, 200, "application/json", perPointAnswer(request, null, false));
                return true;
            case DROP_AFTER_FORWARD:
                forward(request);
                return false;
            case SLOW:
                sleep(delay.toMillis());
                return relay(request, out);
            case NONE:
            default:
                return relay(request, out);
        }
    }

    private synchronized Fault currentFault() {
        return fault;
    }

    private boolean relay(Request request, OutputStream out) throws IOException {
        HttpResponse<byte[]> response;
        try {
            response = forward(request);
        } catch (IOException e) {
            return false; // the TSD is down: so is this connection, as a direct client would see it
        }
        Map<String, String> headers = new LinkedHashMap<>();
        response.headers().firstValue("Content-Type").ifPresent(v -> headers.put("Content-Type", v));
        response.headers().firstValue("Content-Encoding").ifPresent(v -> headers.put("Content-Encoding", v));
        respond(out, response.statusCode(), headers, response.body());
        return true;
    }

    private HttpResponse<byte[]> forward(Request request) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(upstream.resolve(request.target))
                .timeout(Duration.ofSeconds(60))
                .method(request.method, request.body.length == 0 && !"POST".equals(request.method)
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(request.body));
        request.headers.forEach((k, v) -> {
            if (!HOP_HEADERS.contains(k.toLowerCase(Locale.ROOT))) {
                b.header(k, v);
            }
        });
        try {
            HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            forwarded.incrementAndGet();
            return r;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** OpenTSDB's ?details answer for the request's points: each failed with {@code error}, or none listed. */
    private static String perPointAnswer(Request request, String error, boolean listErrors) throws IOException {
        JsonNode body = JSON.readTree(request.decodedBody());
        List<JsonNode> points = new ArrayList<>();
        if (body != null && body.isArray()) {
            body.forEach(points::add);
        } else if (body != null) {
            points.add(body);
        }
        ObjectNode answer = JSON.createObjectNode();
        answer.put("success", 0);
        answer.put("failed", points.size());
        ArrayNode errors = answer.putArray("errors");
        if (listErrors) {
            for (JsonNode p : points) {
                ObjectNode e = errors.addObject();
                e.set("datapoint", p);
                e.put("error", error);
            }
        }
        return JSON.writeValueAsString(answer);
    }

    private static String error(int code, String message, String details) {
        return "{\"error\":{\"code\":" + code + ",\"message\":\"" + message + "\",\"details\":\"" + details + "\"}}";
    }

    private static void respond(OutputStream out, int status, String contentType, String body) throws IOException {
        respond(out, status, Map.of("Content-Type", contentType), body.getBytes(StandardCharsets.UTF_8));
    }

    private static void respond(OutputStream out, int status, Map<String, String> headers, byte[] body)
            throws IOException {
        StringBuilder head = new StringBuilder("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n");
        headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
    }

    private static String reason(int status) {
        switch (status) {
            case 200: return "OK";
            case 204: return "No Content";
            case 400: return "Bad Request";
            case 401: return "Unauthorized";
            case 404: return "Not Found";
            case 500: return "Internal Server Error";
            case 503: return "Service Unavailable";
            default: return "Status";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // best effort
        }
    }

    /** One parsed HTTP/1.1 request (Content-Length or chunked body). */
    private static final class Request {
        final String method;
        final String target;
        final String path;
        final Map<String, String> headers;
        final byte[] body;

        private Request(String method, String target, Map<String, String> headers, byte[] body) {
            this.method = method;
            this.target = target;
            int q = target.indexOf('?');
            this.path = q < 0 ? target : target.substring(0, q);
            this.headers = headers;
            this.body = body;
        }

        static Request read(InputStream in) throws IOException {
            String line = readLine(in);
            while (line != null && line.isEmpty()) {
                line = readLine(in);
            }
            if (line == null) {
                return null;
            }
            String[] parts = line.split(" ");
            if (parts.length < 2) {
                throw new SocketException("bad request line: " + line);
            }
            Map<String, String> headers = new LinkedHashMap<>();
            for (String h = readLine(in); h != null && !h.isEmpty(); h = readLine(in)) {
                int colon = h.indexOf(':');
                if (colon > 0) {
                    headers.put(h.substring(0, colon).trim(), h.substring(colon + 1).trim());
                }
            }
            byte[] body;
            String length = header(headers, "Content-Length");
            if ("chunked".equalsIgnoreCase(header(headers, "Transfer-Encoding"))) {
                ByteArrayOutputStream buf = new ByteArrayOutputStream();
                while (true) {
                    String size = readLine(in);
                    if (size == null) {
                        throw new SocketException("connection closed in a chunked body");
                    }
                    int n = Integer.parseInt(size.split(";")[0].trim(), 16);
                    if (n == 0) {
                        readLine(in); // the empty line after the last chunk (no trailers from our clients)
                        break;
                    }
                    buf.write(in.readNBytes(n));
                    readLine(in);
                }
                body = buf.toByteArray();
            } else if (length != null) {
                body = in.readNBytes(Integer.parseInt(length));
            } else {
                body = new byte[0];
            }
            return new Request(parts[0], parts[1], headers, body);
        }

        byte[] decodedBody() throws IOException {
            if ("gzip".equalsIgnoreCase(header(headers, "Content-Encoding"))) {
                try (InputStream gz = new GZIPInputStream(new ByteArrayInputStream(body))) {
                    return gz.readAllBytes();
                }
            }
            return body;
        }

        private static String header(Map<String, String> headers, String name) {
            for (Map.Entry<String, String> e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    return e.getValue();
                }
            }
            return null;
        }

        private static String readLine(InputStream in) throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) != -1) {
                if (c == '\n') {
                    byte[] b = line.toByteArray();
                    int len = b.length > 0 && b[b.length - 1] == '\r' ? b.length - 1 : b.length;
                    return new String(b, 0, len, StandardCharsets.ISO_8859_1);
                }
                line.write(c);
            }
            return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
