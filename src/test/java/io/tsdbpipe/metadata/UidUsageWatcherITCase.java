package io.tsdbpipe.metadata;

import io.tsdbpipe.testing.RealOpenTsdb;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The UID watch against the real OpenTSDB 2.4.1: its /api/stats answer is read, each kind's share is known. */
class UidUsageWatcherITCase {

    @RegisterExtension
    static final RealOpenTsdb TSDB = RealOpenTsdb.shared();

    @Test
    void readsEachKindsUsageFromARealTsd() throws Exception {
        assertThat(TSDB.put("{\"metric\":\"uid.watch.probe\",\"timestamp\":1700000000,\"value\":1,"
                + "\"tags\":{\"uidwatchkey\":\"uidwatchvalue\"}}").statusCode()).isBetween(200, 204);
        Map<String, UidUsageWatcher.Usage> usage = UidUsageWatcher.parse(TSDB.get("/api/stats").body());
        assertThat(usage).containsKeys("metrics", "tagk", "tagv");
        usage.values().forEach(u -> {
            assertThat(u.used()).isPositive();
            assertThat(u.used() + u.available()).isEqualTo(UidUsageWatcher.THREE_BYTE_IDS);
        });

        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            UidUsageWatcher w = new UidUsageWatcher(List.of(TSDB.url()), Map.of(), 0.8, Duration.ofSeconds(10),
                    executor, System::currentTimeMillis);
            w.poll().get(30, TimeUnit.SECONDS);
            for (String kind : UidUsageWatcher.KINDS) {
                assertThat(w.share(kind)).as(kind).isPositive().isLessThan(0.8);
                assertThat(w.warning(kind)).isFalse();
            }
        } finally {
            executor.shutdownNow();
        }
    }
}
