package io.tsdbpipe.tools.bench;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;

/**
 * An HTTP server that reads each request's body and answers 200 with an empty body at once: the ceiling of
 * {@link GatewayLoadClient} on this machine (scripts/bench-gateway.sh's {@code client} row), so that the gateway's and
 * Flume's rates are known not to be the client's. JDK's own server, a thread per connection's exchange.
 *
 * <p>{@code NullHttpServer --port N [--threads T]}; prints {@code null server ready on PORT}.
 */
public final class NullHttpServer {

    private NullHttpServer() {}

    public static void main(String[] args) throws IOException {
        int port = 0;
        int threads = 64;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--port": port = Integer.parseInt(args[i + 1]); break;
                case "--threads": threads = Integer.parseInt(args[i + 1]); break;
                default: throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 1024);
        server.setExecutor(Executors.newFixedThreadPool(threads));
        server.createContext("/", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                in.transferTo(OutputStream.nullOutputStream());
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        System.out.println("null server ready on " + server.getAddress().getPort());
    }
}
