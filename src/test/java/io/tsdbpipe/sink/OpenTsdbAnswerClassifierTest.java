package io.tsdbpipe.sink;

import io.tsdbpipe.sink.OpenTsdbAnswerClassifier.Decision;
import io.tsdbpipe.sink.OpenTsdbAnswerClassifier.EndpointAction;
import io.tsdbpipe.sink.OpenTsdbAnswerClassifier.Verdict;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import javax.net.ssl.SSLHandshakeException;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static io.tsdbpipe.sink.OpenTsdbAnswerClassifier.EndpointAction.COOL_DOWN;
import static io.tsdbpipe.sink.OpenTsdbAnswerClassifier.EndpointAction.KEEP;
import static io.tsdbpipe.sink.OpenTsdbAnswerClassifier.EndpointAction.REFUSES;
import static io.tsdbpipe.sink.OpenTsdbAnswerClassifier.EndpointAction.UP;
import static io.tsdbpipe.sink.OpenTsdbAnswerClassifier.Verdict.PER_POINT;
import static io.tsdbpipe.sink.OpenTsdbAnswerClassifier.Verdict.READ;
import static io.tsdbpipe.sink.OpenTsdbAnswerClassifier.Verdict.REFUSED_ALONE;
import static io.tsdbpipe.sink.OpenTsdbAnswerClassifier.Verdict.SPLIT;
import static io.tsdbpipe.sink.OpenTsdbAnswerClassifier.Verdict.WHOLE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every decision about an OpenTSDB answer, as a table: status family x body kind, per-point errors, and no answer.
 * Outcomes are written one letter per entry sent: W written, R retry, D dead-letter. The same table is in
 * docs/opentsdb-answers.md.
 */
class OpenTsdbAnswerClassifierTest {

    private static final String WHERE = "http://tsd:4242";

    /** Three points: m{host=a}@1700000000=1, m{host=a}@1700000001=2, m{host=b}@1700000000=3. */
    private static final List<OpenTsdbPutEntry> SENT = entries(3);

    private static final String HTML = "<!DOCTYPE html><html><head><title>Maintenance</title></head>"
            + "<body><h1>Back soon</h1></body></html>";
    private static final String CHUNKED = "<html><head><title>Bad Request</title></head><body>The reason provided "
            + "was:<blockquote>Chunked request not supported.</blockquote></body></html>";
    private static final String ERROR_OBJECT = "{\"error\":{\"code\":400,\"message\":\"One or more data points had "
            + "errors\",\"details\":\"Please see the TSD logs or append \\\"details\\\" to the put request\"}}";

    private static List<OpenTsdbPutEntry> entries(int n) {
        OpenTsdbElementConverter converter = new OpenTsdbElementConverter();
        List<OpenTsdbPutEntry> list = new ArrayList<>();
        String[][] points = {{"a", "1700000000", "1"}, {"a", "1700000001", "2"}, {"b", "1700000000", "3"}};
        for (int i = 0; i < n; i++) {
            list.add(converter.apply(TestPoints.longPoint("m", Long.parseLong(points[i][1]),
                    Long.parseLong(points[i][2]), i, "host", points[i][0]), null));
        }
        return list;
    }

    /** OpenTSDB's echo of sent point {@code i} (value as a string, as the TSD sends it). */
    private static String echo(int i) {
        String[][] points = {{"a", "1700000000", "1"}, {"a", "1700000001", "2"}, {"b", "1700000000", "3"}};
        return "{\"metric\":\"m\",\"timestamp\":" + points[i][1] + ",\"value\":\"" + points[i][2]
                + "\",\"tags\":{\"host\":\"" + points[i][0] + "\"}}";
    }

    private static String error(String datapoint, String text) {
        return "{\"datapoint\":" + datapoint + ",\"error\":\"" + text + "\"}";
    }

    private static String summary(long success, long failed, String... errors) {
        return "{\"success\":" + success + ",\"failed\":" + failed + ",\"errors\":[" + String.join(",", errors)
                + "]}";
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Decision put(int status, String body) {
        return OpenTsdbAnswerClassifier.put(WHERE, SENT, 600, status, null, b(body));
    }

    private static Arguments row(String name, Supplier<Decision> decision, String outcomes, EndpointAction endpoint,
            Verdict verdict) {
        return Arguments.of(name, decision, outcomes, endpoint, verdict);
    }

    static Stream<Arguments> putAnswers() {
        String unknown0 = error(echo(0), "Unknown metric");
        String unknown1 = error(echo(1), "Unknown metric");
        String throttle1 = error(echo(1), "Please throttle");
        String storage2 = error(echo(2), "Storage exception: RegionTooBusy");
        String mangled = error("{\"metric\":\"M\",\"timestamp\":1700000000,\"value\":\"1\",\"tags\":{\"host\":\"a\"}}",
                "Unknown metric");
        List<Arguments> rows = new ArrayList<>(List.of(
                // 2xx with a ?details summary
                row("200 summary, all stored", () -> put(200, summary(3, 0)), "WWW", UP, PER_POINT),
                row("200 summary with sync", () -> put(200,
                        "{\"success\":3,\"timeouts\":0,\"failed\":0,\"errors\":[]}"), "WWW", UP, PER_POINT),
                row("200 summary, failed 1 but no error listed", () -> put(200, summary(2, 1)), "RRR", UP,
                        PER_POINT),
                row("200 summary counting fewer points than sent", () -> put(200, summary(2, 0)), "RRR", UP, WHOLE),
                row("200 summary counting more points than sent", () -> put(200, summary(4, 0)), "RRR", UP, WHOLE),
                row("200 summary with more errors than failed", () -> put(200, summary(3, 0, unknown0)), "RRR", UP,
                        WHOLE),
                row("200 summary with negative counts", () -> put(200, summary(-1, 4)), "RRR", UP, WHOLE),
                // 2xx without one: nothing proven
                row("200 HTML page", () -> put(200, HTML), "RRR", COOL_DOWN, WHOLE),
                row("204 no body", () -> put(204, ""), "RRR", COOL_DOWN, WHOLE),
                row("200 empty body", () -> put(200, ""), "RRR", COOL_DOWN, WHOLE),
                row("200 truncated summary", () -> put(200, "{\"success\":3,\"failed\":0,\"err"), "RRR", COOL_DOWN,
                        WHOLE),
                row("200 {\"error\":..} object", () -> put(200, ERROR_OBJECT), "RRR", COOL_DOWN, WHOLE),
                row("200 JSON array", () -> put(200, "[]"), "RRR", COOL_DOWN, WHOLE),
                row("200 summary with counts as strings", () -> put(200,
                        "{\"success\":\"3\",\"failed\":\"0\",\"errors\":[]}"), "RRR", COOL_DOWN, WHOLE),
                row("201 summary", () -> put(201, summary(3, 0)), "WWW", UP, PER_POINT),
                // 400 with a ?details summary: per point
                row("400 one permanent error", () -> put(400, summary(2, 1, unknown1)), "WDW", UP, PER_POINT),
                row("400 one retryable error", () -> put(400, summary(2, 1, throttle1)), "WRW", UP, PER_POINT),
                row("400 permanent and retryable", () -> put(400, summary(1, 2, unknown0, storage2)), "DWR", UP,
                        PER_POINT),
                row("400 failed greater than the errors listed", () -> put(400, summary(1, 2, unknown0)), "DRR", UP,
                        PER_POINT),
                row("400 summary without an errors list", () -> put(400, "{\"success\":1,\"failed\":2}"), "RRR", UP,
                        PER_POINT),
                row("400 error matching no point sent", () -> put(400, summary(2, 1, mangled)), "RRR", UP,
                        PER_POINT),
                row("400 unmatched error next to a matched permanent one", () -> put(400,
                        summary(1, 2, unknown1, mangled)), "RDR", UP, PER_POINT),
                row("400 the same point refused twice", () -> put(400, summary(1, 2, unknown1, unknown1)), "RDR", UP,
                        PER_POINT),
                row("400 summary not adding up", () -> put(400, summary(0, 1, unknown1)), "RRR", UP, WHOLE),
                // 400/413 without details: refused as a whole
                row("400 {\"error\":..} object, 3 points", () -> put(400, ERROR_OBJECT), "RRR", UP, SPLIT),
                row("400 HTML chunked page, 3 points", () -> put(400, CHUNKED), "RRR", UP, SPLIT),
                row("400 truncated JSON, 3 points", () -> put(400, "{\"success\":1,"), "RRR", UP, SPLIT),
                row("400 empty, 3 points", () -> put(400, ""), "RRR", UP, SPLIT),
                row("413, 3 points", () -> put(413, "Request Entity Too Large"), "RRR", UP, SPLIT),
                row("400 without details, 1 point", () -> OpenTsdbAnswerClassifier.put(WHERE, entries(1), 90, 400,
                        null, b(ERROR_OBJECT)), "R", UP, REFUSED_ALONE),
                row("400 HTML chunked page, 1 point over 8192 bytes", () -> OpenTsdbAnswerClassifier.put(WHERE,
                        entries(1), 9000, 400, null, b(CHUNKED)), "D", UP, WHOLE),
                // busy
                row("408", () -> put(408, ""), "RRR", KEEP, WHOLE),
                row("429", () -> put(429, "Too Many Requests"), "RRR", KEEP, WHOLE),
                // 1xx (never surfaced by the HTTP client, but decided)
                row("199", () -> put(199, ""), "RRR", COOL_DOWN, WHOLE)));
        for (int status : new int[] {500, 502, 503, 504}) {
            rows.add(row(status + " HTML", () -> put(status, HTML), "RRR", COOL_DOWN, WHOLE));
            rows.add(row(status + " {\"error\":..}", () -> put(status, ERROR_OBJECT), "RRR", COOL_DOWN, WHOLE));
        }
        // answers no retry on the same endpoint changes
        for (int status : new int[] {301, 302, 304, 307, 308, 401, 403, 404, 405, 406, 410, 415, 451}) {
            rows.add(row(status + " (refuses writes)", () -> put(status, ERROR_OBJECT), "RRR", REFUSES, WHOLE));
        }
        return rows.stream();
    }

    static Stream<Arguments> noAnswers() {
        return Stream.of(
                row("connection refused", () -> OpenTsdbAnswerClassifier.noAnswer(WHERE, 3, 600,
                        new ConnectException("Connection refused")), "RRR", COOL_DOWN, WHOLE),
                row("timeout", () -> OpenTsdbAnswerClassifier.noAnswer(WHERE, 3, 600,
                        new HttpTimeoutException("request timed out")), "RRR", COOL_DOWN, WHOLE),
                row("connection reset", () -> OpenTsdbAnswerClassifier.noAnswer(WHERE, 3, 600,
                        new IOException("Connection reset")), "RRR", COOL_DOWN, WHOLE),
                row("TLS certificate refused", () -> OpenTsdbAnswerClassifier.noAnswer(WHERE, 3, 600,
                        new SSLHandshakeException("PKIX") {{
                            initCause(new CertificateException("unknown CA"));
                        }}), "RRR", REFUSES, WHOLE));
    }

    static Stream<Arguments> annotationAnswers() {
        String stored = "{\"tsuid\":\"\",\"startTime\":1612509542,\"custom\":{\"r-0@1#0\":\"{}\"}}";
        List<Arguments> rows = new ArrayList<>(List.of(
                row("read 200 annotation", () -> read(200, stored), "RR", UP, READ),
                row("read 404 none stored", () -> read(404, "{\"error\":{\"code\":404,\"message\":\"Unable to "
                        + "locate annotation in storage\"}}"), "RR", UP, READ),
                row("read 404 not a TSD", () -> read(404, "{\"error\":{\"code\":404,\"message\":\"Endpoint not "
                        + "found\"}}"), "RR", REFUSES, WHOLE),
                row("read 404 HTML", () -> read(404, HTML), "RR", REFUSES, WHOLE),
                row("read 200 HTML", () -> read(200, HTML), "RR", COOL_DOWN, WHOLE),
                row("read 200 empty", () -> read(200, ""), "RR", COOL_DOWN, WHOLE),
                row("read 200 truncated", () -> read(200, "{\"tsuid\":\"\",\"startT"), "RR", COOL_DOWN, WHOLE),
                row("read 200 JSON array", () -> read(200, "[]"), "RR", COOL_DOWN, WHOLE),
                row("read 200 {\"error\":..}", () -> read(200, ERROR_OBJECT), "RR", COOL_DOWN, WHOLE),
                row("read 204", () -> read(204, ""), "RR", COOL_DOWN, WHOLE),
                row("read 400", () -> read(400, ERROR_OBJECT), "RR", COOL_DOWN, WHOLE),
                row("read 429", () -> read(429, ""), "RR", KEEP, WHOLE),
                row("read 503", () -> read(503, HTML), "RR", COOL_DOWN, WHOLE),
                row("read 401", () -> read(401, ""), "RR", REFUSES, WHOLE),
                row("write 200 annotation", () -> write(200, stored), "WW", UP, WHOLE),
                row("write 200 HTML", () -> write(200, HTML), "RR", COOL_DOWN, WHOLE),
                row("write 204", () -> write(204, ""), "RR", COOL_DOWN, WHOLE),
                row("write 200 empty", () -> write(200, ""), "RR", COOL_DOWN, WHOLE),
                row("write 200 truncated", () -> write(200, "{\"tsuid\":"), "RR", COOL_DOWN, WHOLE),
                row("write 304 compare-and-set lost", () -> write(304, ""), "RR", KEEP, WHOLE),
                row("write 400", () -> write(400, ERROR_OBJECT), "DD", UP, WHOLE),
                row("write 413", () -> write(413, ""), "RR", KEEP, WHOLE),
                row("write 408", () -> write(408, ""), "RR", KEEP, WHOLE),
                row("write 500", () -> write(500, ERROR_OBJECT), "RR", COOL_DOWN, WHOLE)));
        for (int status : new int[] {302, 401, 403, 404, 405, 415}) {
            rows.add(row("write " + status, () -> write(status, ERROR_OBJECT), "RR", REFUSES, WHOLE));
        }
        return rows.stream();
    }

    private static Decision read(int status, String body) {
        return OpenTsdbAnswerClassifier.annotationRead(WHERE, 2, status, null, b(body));
    }

    private static Decision write(int status, String body) {
        return OpenTsdbAnswerClassifier.annotationWrite(WHERE, 1612509542L, 2, status, null, b(body));
    }

    @ParameterizedTest(name = "{0}: {2}, endpoint {3}")
    @MethodSource({"putAnswers", "noAnswers", "annotationAnswers"})
    void decides(String name, Supplier<Decision> answer, String outcomes, EndpointAction endpoint, Verdict verdict) {
        Decision d = answer.get();
        StringBuilder actual = new StringBuilder();
        for (int i = 0; i < d.entries(); i++) {
            actual.append(d.outcome(i).name().charAt(0));
            if (d.outcome(i) == OpenTsdbAnswerClassifier.Outcome.DEAD_LETTER) {
                assertThat(d.message(i)).as("dead-letter message").isNotBlank();
            }
        }
        assertThat(actual.toString()).as("outcomes of " + d).isEqualTo(outcomes);
        assertThat(d.endpoint).as("endpoint").isEqualTo(endpoint);
        assertThat(d.verdict).as("verdict").isEqualTo(verdict);
        assertThat(d.fatal).as("fails the job at once").isNull();
        assertThat(d.cause).isNotBlank();
    }

    @Test
    void deadLetterMessagesAreTheTsdsTexts() {
        Decision d = put(400, summary(1, 2, error(echo(0), "Unknown metric"),
                error(echo(2), "Invalid tag value with key [host] (\\\"b c\\\"): illegal character:  ")));
        assertThat(d.message(0)).isEqualTo("Unknown metric");
        assertThat(d.message(2)).isEqualTo("Invalid tag value with key [host] (\"b c\"): illegal character:  ");
        Decision big = OpenTsdbAnswerClassifier.put(WHERE, entries(1), 9000, 400, null, b(CHUNKED));
        assertThat(big.message(0)).startsWith("HTTP 400: ").contains("Chunked request not supported.");
        Decision annotation = write(400, "{\"error\":{\"code\":400,\"message\":\"Missing start time\"}}");
        assertThat(annotation.message(1))
                .isEqualTo("OpenTSDB refused the annotation of second 1612509542: HTTP 400: Missing start time");
    }

    @Test
    void aRefusalWithoutDetailsOfASinglePointIsItsOwnFaultOnlyWhenItsEndpointTookOtherPoints() {
        Decision own = OpenTsdbAnswerClassifier.refusedAlone(WHERE, "HTTP 400: Scripted failure", true);
        assertThat(own.outcome(0)).isEqualTo(OpenTsdbAnswerClassifier.Outcome.DEAD_LETTER);
        assertThat(own.message(0)).isEqualTo("HTTP 400: Scripted failure");
        Decision broken = OpenTsdbAnswerClassifier.refusedAlone(WHERE, "HTTP 400: Scripted failure", false);
        assertThat(broken.outcome(0)).isEqualTo(OpenTsdbAnswerClassifier.Outcome.RETRY);
        assertThat(broken.endpoint).isEqualTo(COOL_DOWN);
        assertThat(broken.cause).contains("every single point");
    }

    @Test
    void theRefusalMessagesSayWhatToFix() {
        assertThat(put(401, "").cause).contains("HTTP 401", "credentials were refused");
        assertThat(put(404, "").cause).contains("HTTP 404 to /api/put", "tsd.mode=ro");
        assertThat(put(415, "").cause).contains("sink.opentsdb.gzip=false");
        assertThat(OpenTsdbAnswerClassifier.put(WHERE, SENT, 600, 302, "https://tsd/api/put", new byte[0]).cause)
                .contains("redirected to https://tsd/api/put");
        assertThat(read(404, "").cause).contains("to /api/annotation");
    }

    @Test
    void aConnectionLostOnALargeBodyShrinksTheRequestsToWhatATsdTakesUnchunked() {
        assertThat(OpenTsdbAnswerClassifier.noAnswer(WHERE, 3, 20_000, new IOException("reset")).shrinkFloor)
                .isEqualTo(RequestSizer.TSD_UNCHUNKED_BYTES);
        assertThat(OpenTsdbAnswerClassifier.noAnswer(WHERE, 3, 8192, new IOException("reset")).shrinkFloor)
                .isZero();
        assertThat(OpenTsdbAnswerClassifier.noAnswer(WHERE, 3, 20_000, new HttpTimeoutException("t")).shrinkFloor)
                .isZero();
    }

    @Test
    void anInterruptFailsTheJobAtOnce() {
        Decision d = OpenTsdbAnswerClassifier.noAnswer(WHERE, 3, 600, new InterruptedException());
        assertThat(d.fatal).isNotNull();
    }
}
