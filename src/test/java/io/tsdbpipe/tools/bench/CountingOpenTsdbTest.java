package io.tsdbpipe.tools.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The counting endpoint answers like OpenTSDB 2.4.1 with every point good (docs/opentsdb-put.md section 3) and counts every body. */
class CountingOpenTsdbTest {

    private static final long NOW = 1_700_000_000_000L;
    private static final String POINT = "{\"metric\":\"sys.cpu\",\"timestamp\":1700000000,\"value\":1.5,"
            + "\"tags\":{\"host\":\"a\",\"timestamp\":\"1\"}}";

    private final AtomicLong clock = new AtomicLong(NOW);
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private CountingOpenTsdb tsd;

    @BeforeEach
    void setUp() throws IOException {
        tsd = CountingOpenTsdb.start(0, 2, clock::get);
    }

    @AfterEach
    void tearDown() {
        tsd.close();
    }

    private HttpResponse<String> post(String query, byte[] body, boolean gzip) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(tsd.url() + "/api/put" + query))
                .POST(HttpRequest.BodyPublishers.ofByteArray(gzip ? gzip(body) : body));
        if (gzip) {
            r.header("Content-Encoding", "gzip");
        }
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String query, String body) throws Exception {
        return post(query, body.getBytes(StandardCharsets.UTF_8), false);
    }

    private static String array(int n) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : ",").append(POINT);
        }
        return sb.append(']').toString();
    }

    @Test
    void answersLikeOpenTsdbWhenEveryPointIsGood() throws Exception {
        HttpResponse<String> plain = post("", array(3));
        assertThat(plain.statusCode()).isEqualTo(204);
        assertThat(plain.body()).isEmpty();

        HttpResponse<String> details = post("?details", array(3));
        assertThat(details.statusCode()).isEqualTo(200);
        assertThat(details.body()).isEqualTo("{\"success\":3,\"failed\":0,\"errors\":[]}");

        assertThat(post("?details&sync", POINT).body()).isEqualTo("{\"success\":1,\"timeouts\":0,\"failed\":0,\"errors\":[]}");
        assertThat(post("?summary", array(2)).body()).isEqualTo("{\"success\":2,\"failed\":0}");
        // details wins over summary
        assertThat(post("?summary&details", array(2)).body()).isEqualTo("{\"success\":2,\"failed\":0,\"errors\":[]}");
    }

    @Test
    void refusesWholeBodiesAsOpenTsdbDoes() throws Exception {
        assertThat(post("?details", "")).satisfies(r -> {
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(r.body()).contains("Missing request content");
        });
        assertThat(post("?details", "[]")).satisfies(r -> {
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(r.body()).contains("No datapoints found in content");
        });
        assertThat(post("?details", "[" + POINT + ",{\"metric\":")).satisfies(r -> {
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(r.body()).contains("Unable to parse the given JSON");
        });
        assertThat(post("?details", "[" + POINT + ",42]").statusCode()).isEqualTo(400);
        assertThat(post("?details", POINT + " " + POINT).statusCode()).isEqualTo(400);
        HttpResponse<String> get = http.send(HttpRequest.newBuilder(URI.create(tsd.url() + "/api/put")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(tsd.points()).isZero();
    }

    @Test
    void countsGzipArrayAndObjectBodies() throws Exception {
        byte[] gzipBody = array(500).getBytes(StandardCharsets.UTF_8);
        assertThat(post("?details", gzipBody, true).body()).isEqualTo("{\"success\":500,\"failed\":0,\"errors\":[]}");
        assertThat(post("?details", POINT.getBytes(StandardCharsets.UTF_8), true).body()).contains("\"success\":1,");
        post("", array(7));
        post("", POINT);
        assertThat(tsd.points()).isEqualTo(509);

        JsonNode stats = new ObjectMapper().readTree(http.send(
                HttpRequest.newBuilder(URI.create(tsd.url() + "/stats")).build(), HttpResponse.BodyHandlers.ofString()).body());
        assertThat(stats.path("points").asLong()).isEqualTo(509);
        assertThat(stats.path("requests").asLong()).isEqualTo(4);
        long wire = gzip(gzipBody).length + gzip(POINT.getBytes(StandardCharsets.UTF_8)).length
                + array(7).length() + POINT.length();
        assertThat(stats.path("bytes").asLong()).isEqualTo(wire);
        assertThat(stats.path("seconds")).hasSize(1);
        assertThat(stats.path("seconds").get(0).path("second").asLong()).isEqualTo(NOW / 1000);
        assertThat(stats.path("seconds").get(0).path("points").asLong()).isEqualTo(509);

        tsd.reset();
        assertThat(tsd.points()).isZero();
    }

    @Test
    void recentMillisecondTimestampsGiveTheLatency() throws Exception {
        String body = "[" + point(NOW - 250) + "," + point(NOW - 1000) + "," + point(NOW - 40) + ","
                + point(NOW / 1000) // seconds: no latency
                + "," + point(NOW - 2 * 3_600_000L) // older than an hour: a backfill, not a latency
                + "]";
        assertThat(post("?details", body).body()).contains("\"success\":5,");
        JsonNode stats = new ObjectMapper().readTree(tsd.statsJson(true));
        assertThat(stats.path("latencyPoints").asLong()).isEqualTo(3);
        // the bucket's upper bound: within 1/16 above
        assertThat(stats.path("p50").asLong()).isBetween(250L, 265L);
        assertThat(stats.path("max").asLong()).isEqualTo(1000);
        assertThat(stats.path("seconds").get(0).path("p99").asLong()).isEqualTo(1000);
    }

    @Test
    void oneConnectionCarriesManyRequests() throws Exception {
        // keep-alive: the rest of each (gzip) body is read before the answer, so the next request follows on the socket
        byte[] body = gzip(array(20).getBytes(StandardCharsets.UTF_8));
        try (Socket socket = new Socket("127.0.0.1", tsd.port())) {
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            for (int i = 0; i < 3; i++) {
                out.write(("POST /api/put?details HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\nContent-Length: "
                        + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
                String answer = readAnswer(in);
                assertThat(answer).startsWith("HTTP/1.1 200").endsWith("{\"success\":20,\"failed\":0,\"errors\":[]}");
            }
        }
        assertThat(tsd.points()).isEqualTo(60);
    }

    private static String point(long timestamp) {
        return "{\"metric\":\"m\",\"timestamp\":" + timestamp + ",\"value\":1,\"tags\":{\"h\":\"a\"}}";
    }

    /** One HTTP answer with a Content-Length body. */
    private static String readAnswer(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed after " + head);
            }
            head.write(b);
        }
        String headers = head.toString(StandardCharsets.US_ASCII);
        int length = 0;
        for (String line : headers.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        return headers + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    private static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(b);
        }
        return out.toByteArray();
    }
}
