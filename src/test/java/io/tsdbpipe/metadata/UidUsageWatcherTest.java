package io.tsdbpipe.metadata;

import com.sun.net.httpserver.HttpServer;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The UID watch against a test double that answers {@code GET /api/stats} with OpenTSDB 2.4.1's captured answer
 * (src/test/resources/opentsdb/api-stats-2.4.1.json, from the real TSD of scripts/opentsdb.sh), with its figures
 * changed, and with what a TSD or a proxy in front of it may answer instead.
 */
class UidUsageWatcherTest {

    private static final String CAPTURED = captured();
    private static final String LOGGER = UidUsageWatcher.class.getName();

    private final ConcurrentLinkedQueue<String> warnings = new ConcurrentLinkedQueue<>();
    private final AtomicReference<String> body = new AtomicReference<>(CAPTURED);
    private final AtomicReference<Integer> status = new AtomicReference<>(200);
    private final AtomicReference<String> authorization = new AtomicReference<>();
    private final java.util.concurrent.atomic.AtomicInteger requests = new java.util.concurrent.atomic.AtomicInteger();
    private final AtomicLong clock = new AtomicLong(1_000_000L);
    private HttpServer server;
    private ExecutorService executor;
    private AbstractAppender appender;

    private static String captured() {
        try (InputStream in = UidUsageWatcherTest.class.getResourceAsStream("/opentsdb/api-stats-2.4.1.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The captured answer with the kind's figures replaced (the TSD writes them as strings). */
    private static String withUsage(String answer, String kind, long used, long available) {
        return answer
                .replace("{\"metric\":\"tsd.uid.ids-used\",\"timestamp\":1796139451,\"value\":\"1\",\"tags\":{\"host\":\"vm\",\"kind\":\"" + kind + "\"}}",
                        "{\"metric\":\"tsd.uid.ids-used\",\"timestamp\":1796139451,\"value\":\"" + used + "\",\"tags\":{\"host\":\"vm\",\"kind\":\"" + kind + "\"}}")
                .replace("{\"metric\":\"tsd.uid.ids-available\",\"timestamp\":1796139451,\"value\":\"16777214\",\"tags\":{\"host\":\"vm\",\"kind\":\"" + kind + "\"}}",
                        "{\"metric\":\"tsd.uid.ids-available\",\"timestamp\":1796139451,\"value\":\"" + available + "\",\"tags\":{\"host\":\"vm\",\"kind\":\"" + kind + "\"}}");
    }

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/api/stats", exchange -> {
            requests.incrementAndGet();
            authorization.set(exchange.getRequestHeaders().getFirst("Authorization"));
            byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", body.get().startsWith("<")
                    ? "text/html" : "application/json; charset=UTF-8");
            exchange.sendResponseHeaders(status.get(), bytes.length == 0 ? -1 : bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        executor = Executors.newSingleThreadExecutor();
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        appender = new AbstractAppender("uid-watch-capture", null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                warnings.add(event.getLevel() + " " + event.getMessage().getFormattedMessage());
            }
        };
        appender.start();
        Configuration config = ctx.getConfiguration();
        LoggerConfig ours = new LoggerConfig(LOGGER, Level.INFO, false);
        ours.addAppender(appender, Level.INFO, null);
        config.addLogger(LOGGER, ours);
        ctx.updateLoggers();
    }

    @AfterEach
    void stop() throws InterruptedException {
        server.stop(0);
        executor.shutdownNow();
        executor.awaitTermination(5, TimeUnit.SECONDS);
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        ctx.getConfiguration().removeLogger(LOGGER);
        ctx.updateLoggers();
        appender.stop();
    }

    private String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private UidUsageWatcher watcher(List<String> endpoints, Map<String, String> headers) {
        return new UidUsageWatcher(endpoints, headers, 0.8, Duration.ofSeconds(2), executor, clock::get);
    }

    private static void poll(UidUsageWatcher w) throws Exception {
        w.poll().get(10, TimeUnit.SECONDS);
    }

    @Test
    void readsTheFiguresOfEachKindFromOpenTsdbsAnswer() {
        Map<String, UidUsageWatcher.Usage> usage = UidUsageWatcher.parse(CAPTURED);
        assertThat(usage).containsOnlyKeys("metrics", "tagk", "tagv");
        assertThat(usage.get("tagv")).isEqualTo(new UidUsageWatcher.Usage(1, 16_777_214));
        assertThat(usage.get("metrics").share()).isCloseTo(1d / 16_777_215, within(1e-12));
    }

    @Test
    void warnsInTheLogAndTheGaugeWhenAKindPassesTheShareAndOnceWhenItIsBack() throws Exception {
        UidUsageWatcher w = watcher(List.of(url() + "/"), Map.of("Authorization", "Basic dTpw"));
        poll(w);
        assertThat(w.share("tagv")).isLessThan(0.001);
        assertThat(w.warning("tagv")).isFalse();
        assertThat(warnings).isEmpty();
        assertThat(authorization.get()).isEqualTo("Basic dTpw");

        body.set(withUsage(CAPTURED, "tagv", 14_000_000, 2_777_215));
        poll(w);
        assertThat(w.share("tagv")).isCloseTo(14_000_000d / 16_777_215, within(1e-9));
        assertThat(w.warning("tagv")).isTrue();
        assertThat(w.warning("metrics")).isFalse();
        assertThat(warnings).singleElement().asString()
                .startsWith("WARN UID kind tagv is 83.4% used (warning at 80.0%")
                .contains("tag value").contains("14000000 used, 2777215 available");

        poll(w); // still above, within the hour: no second warning
        assertThat(warnings).hasSize(1);
        clock.addAndGet(UidUsageWatcher.REPEAT_WARNING);
        poll(w);
        assertThat(warnings).hasSize(2);

        body.set(CAPTURED);
        poll(w);
        assertThat(w.warning("tagv")).isFalse();
        assertThat(warnings).hasSize(3).last().asString().startsWith("INFO UID kind tagv is 0.0% used");
    }

    @Test
    void aTsdWithWiderUidsIsJudgedByItsOwnCapacity() {
        // tsd.storage.uid.width.tagv=4: the same used count is a small share
        UidUsageWatcher.Usage usage = UidUsageWatcher.parse(withUsage(CAPTURED, "tagv", 14_000_000,
                4_294_967_295L - 14_000_000)).get("tagv");
        assertThat(usage.share()).isLessThan(0.01);
    }

    @Test
    void answersThatAreNotTheStatsJsonChangeNothingAndDoNotBreakIt() throws Exception {
        UidUsageWatcher w = watcher(List.of(url()), Map.of());
        body.set(withUsage(CAPTURED, "metrics", 15_000_000, 1_777_215));
        poll(w);
        assertThat(w.warning("metrics")).isTrue();
        warnings.clear();
        List<String> bad = List.of(
                "<html><body><h1>502 Bad Gateway</h1></body></html>",
                "",
                CAPTURED.substring(0, CAPTURED.length() / 2),
                CAPTURED.substring(0, CAPTURED.indexOf("tsd.uid.ids-used") + 30),
                "{\"error\":{\"code\":500,\"message\":\"boom\"}}",
                "[1,2,3]",
                "[{\"metric\":\"tsd.uid.ids-used\",\"value\":{\"x\":1},\"tags\":[\"kind\"]}]",
                "null");
        for (String b : bad) {
            body.set(b);
            poll(w);
            assertThat(w.share("metrics")).as(b).isCloseTo(15_000_000d / 16_777_215, within(1e-9));
        }
        body.set(CAPTURED);
        status.set(500);
        poll(w);
        assertThat(w.warning("metrics")).isTrue();
        // logged once per endpoint and hour, not once per answer
        assertThat(warnings).singleElement().asString().contains("its last figures stand");
        status.set(200);
        poll(w);
        assertThat(w.warning("metrics")).isFalse();
    }

    @Test
    void takesTheHighestShareOverTheTsdsAndSurvivesOneThatIsDown() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        UidUsageWatcher w = watcher(List.of("http://127.0.0.1:" + closed, url()), Map.of());
        body.set(withUsage(CAPTURED, "tagk", 13_500_000, 3_277_215));
        poll(w);
        assertThat(w.warning("tagk")).isTrue();
        assertThat(warnings).anySatisfy(l -> assertThat(l).contains("127.0.0.1:" + closed).contains("no answer"));
    }

    @Test
    void theOperatorPollsFromSubtaskZeroOnlyEveryIntervalAndPassesRecordsThrough() throws Exception {
        org.apache.flink.configuration.Configuration conf = new org.apache.flink.configuration.Configuration();
        conf.setString("sink.opentsdb.endpoints", url());
        conf.setString("sink.opentsdb.auth.basic.username", "u");
        conf.setString("sink.opentsdb.auth.basic.password", "p");
        conf.setString("cardinality.uid-check-interval", "10 s");
        for (int subtask : new int[] {1, 0}) {
            UidWatchOperator<String> op = UidWatchOperator.fromConfiguration(conf);
            try (var h = new org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness<String, String>(
                    op, 128, 2, subtask)) {
                h.setProcessingTime(0);
                h.open();
                h.processElement(new org.apache.flink.streaming.runtime.streamrecord.StreamRecord<>("a reject"));
                assertThat(h.extractOutputValues()).containsExactly("a reject");
                if (subtask == 1) {
                    continue; // sends nothing: subtask 0's first poll below is the first request
                }
                awaitRequests(1);
                // the next poll at each interval's end; one still in flight then is not doubled, so step on until
                // the first answer was handled
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                for (long t = 10_000; requests.get() < 2 && System.nanoTime() < deadline; t += 10_000) {
                    h.setProcessingTime(t);
                    Thread.sleep(20);
                }
                awaitRequests(2);
                assertThat(authorization.get()).isEqualTo("Basic dTpw");
            }
        }
        conf.setString("cardinality.uid-check-interval", "0 s");
        assertThat(UidWatchOperator.<String>fromConfiguration(conf)).isNull();
    }

    private void awaitRequests(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (requests.get() < n && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(requests.get()).isEqualTo(n);
    }
}
