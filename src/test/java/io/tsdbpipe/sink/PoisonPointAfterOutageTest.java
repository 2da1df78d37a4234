package io.tsdbpipe.sink;

import io.tsdbpipe.point.DataPoint;
import io.tsdbpipe.testing.TestingOpenTsdbServer;

import org.apache.flink.api.common.operators.MailboxExecutor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.tsdbpipe.sink.TestPoints.longPoint;
import static io.tsdbpipe.sink.TestPoints.texts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** Adversarial review of issue 7's sink changes: each test states a scenario the change still gets wrong. */
class PoisonPointAfterOutageTest {

    private TestingOpenTsdbServer server;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void setUp() {
        TestingDeadLetterPublisher.reset();
        server = TestingOpenTsdbServer.start();
        closeables.add(server);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private static void pump(MailboxExecutor mailbox, long millis) throws Exception {
        long end = System.nanoTime() + millis * 1_000_000L;
        while (System.nanoTime() < end) {
            if (!mailbox.tryYield()) {
                Thread.sleep(1);
            }
        }
    }

    /**
     * A TSD outage long enough to halve the in-flight budget down to 1 entry (8 failed probes with the defaults of
     * 4 x 50), with a point at the head of the retry queue that the TSD keeps refusing with a retryable error once it
     * is back. Each probe then holds that one point alone: "nothing of the request stored" is an outage without a time
     * limit, so the point is never singled out, max-retry-time never starts, the budget never grows back, and every
     * other point waits behind it for ever (write() blocks once the retry queue is over its bound). Expected (README:
     * "A point refused on its own with a retryable error is retried for at most max-retry-time, then dead-lettered"):
     * the good points are stored and the poison point dead-lettered.
     */
    @Test
    void aPoisonPointAtTheHeadOfTheRetryQueueAfterAnOutageBlocksEveryOtherPointForEver() throws Exception {
        server.throttle("slow", Integer.MAX_VALUE).outage(503);
        TestingWriterInitContext ctx = new TestingWriterInitContext();
        OpenTsdbSinkWriter writer = (OpenTsdbSinkWriter) OpenTsdbSink.builder()
                .setSettings(TestSinkSettings.fast(server.url())
                        .setRetryMaxBackoff(Duration.ofMillis(20))
                        .setMaxRetryTime(Duration.ofMillis(300))
                        .build())
                .setMaxBatchPoints(50)
                .setMaxInFlightRequests(4)
                .build()
                .createWriter(ctx);
        closeables.add(writer);

        writer.write(longPoint("slow", 1_700_000_000L, 5, 1, "host", "a"), null);
        writer.flush(false); // a checkpoint sends it: 503, the outage starts
        List<DataPoint> good = TestPoints.mixed(100, 10);
        for (DataPoint p : good) {
            writer.write(p, null);
        }
        pump(ctx.getMailboxExecutor(), 1500); // the outage goes on: probes fail, the budget halves each time
        assertThat(writer.budget().maxInFlightEntries()).isEqualTo(1);

        server.endOutage();
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> writer.flush(true),
                "end of input never ends: one throttled point alone in every probe");
        assertThat(server.storedTexts()).containsExactlyInAnyOrderElementsOf(texts(good));
        assertThat(TestingDeadLetterPublisher.flushed()).hasSize(1);
    }
}
