package io.tsdbpipe.chaos;

import io.tsdbpipe.testing.MiniClusters;
import io.tsdbpipe.testing.RealOpenTsdb;
import io.tsdbpipe.testing.TestingKafkaBroker;

import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The long fault scenarios, behind the {@code chaos} Maven profile ({@code mvn -Pchaos verify}, or scripts/chaos.sh):
 * the real TSD and its HBase stopped, the Kafka broker restarted, the dead-letter topic's broker down, a stateless
 * resubmit and a savepoint resume with another parallelism. Same driver and table as {@link ChaosScenariosITCase}.
 */
@EnabledIfSystemProperty(named = "chaos.long", matches = "true")
class ChaosLongITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = MiniClusters.oneTaskManager(4);

    @RegisterExtension
    static final RealOpenTsdb TSDB = RealOpenTsdb.shared();

    private static final TestingKafkaBroker KAFKA = TestingKafkaBroker.shared();

    @Test
    @Timeout(600)
    void tsdStoppedFor60Seconds(@InjectMiniCluster MiniCluster mini) throws Exception {
        tsdStopped(mini, Duration.ofSeconds(60));
    }

    @Test
    @Timeout(900)
    void tsdStoppedFor5Minutes(@InjectMiniCluster MiniCluster mini) throws Exception {
        tsdStopped(mini, Duration.ofMinutes(5));
    }

    private void tsdStopped(MiniCluster mini, Duration length) throws Exception {
        Assumptions.assumeTrue(OpenTsdbProcesses.controllable(), "the TSD was not started by the tests");
        OpenTsdbProcesses tsd = new OpenTsdbProcesses(TSDB.url());
        ConservationReport report = ChaosScenariosITCase.run("TSD stopped " + length.toSeconds() + " s", mini,
                TSDB.url(), Map.of(), s -> s, (driver, job) -> {
                    tsd.stopTsd();
                    try {
                        outage(driver, job, length);
                    } finally {
                        tsd.start();
                    }
                });
        ChaosTable.recordAndAssertClean(report);
    }

    @Test
    @Timeout(600)
    void hbaseStoppedUnderARunningTsdFor60Seconds(@InjectMiniCluster MiniCluster mini) throws Exception {
        Assumptions.assumeTrue(OpenTsdbProcesses.controllable(), "the TSD was not started by the tests");
        OpenTsdbProcesses tsd = new OpenTsdbProcesses(TSDB.url());
        ConservationReport report = ChaosScenariosITCase.run("HBase stopped 60 s under the TSD", mini,
                TSDB.url(), Map.of(), s -> s, (driver, job) -> {
                    tsd.stopHBase();
                    try {
                        outage(driver, job, Duration.ofSeconds(60));
                    } finally {
                        tsd.start(); // HBase, then the TSD again (the script restarts both)
                    }
                });
        ChaosTable.recordAndAssertClean(report);
    }

    /** Produces during an outage of {@code length}; the job must keep checkpointing and restart nothing. */
    private static void outage(ConservationDriver driver, ChaosJob job, Duration length) throws Exception {
        driver.produceBatch(0, 2);
        long before = job.completedCheckpoints();
        Thread.sleep(length.toMillis());
        long during = job.completedCheckpoints() - before;
        long restarts = job.restarts();
        if (during < 2 || restarts > 0) {
            throw new AssertionError(String.format("during the outage %d checkpoints completed (at least 2 expected)"
                    + " and the job restarted %d times (0 expected)", during, restarts));
        }
    }

    @Test
    @Timeout(600)
    void kafkaBrokerRestarted(@InjectMiniCluster MiniCluster mini) throws Exception {
        try (RestartableKafkaBroker broker = new RestartableKafkaBroker("restart")) {
            broker.start();
            ConservationDriver driver = new ConservationDriver("Kafka broker restarted", broker::bootstrapServers);
            ConservationReport report = ChaosScenariosITCase.run(driver, mini, TSDB.url(), Map.of(), s -> s,
                    (d, job) -> {
                        d.produceBatch(0, 2);
                        job.awaitCheckpoints(2, Duration.ofSeconds(60));
                        broker.stop();
                        Thread.sleep(15_000);
                        broker.start();
                        d.produceBatch(1, 2);
                    });
            ChaosTable.recordAndAssertClean(report);
        }
    }

    @Test
    @Timeout(600)
    void deadLetterTopicUnavailableFor30Seconds(@InjectMiniCluster MiniCluster mini) throws Exception {
        try (RestartableKafkaBroker deadLetters = new RestartableKafkaBroker("dead-letters")) {
            deadLetters.start();
            ConservationDriver driver = new ConservationDriver("dead-letter topic down 30 s",
                    KAFKA::bootstrapServers, deadLetters::bootstrapServers);
            ConservationReport report = ChaosScenariosITCase.run(driver, mini, TSDB.url(), Map.of(), s -> s,
                    (d, job) -> {
                        deadLetters.stop();
                        try {
                            d.produceBatch(0, 2);
                            Thread.sleep(30_000);
                        } finally {
                            deadLetters.start();
                        }
                    });
            ChaosTable.recordAndAssertClean(report);
        }
    }

    @Test
    @Timeout(600)
    void statelessResubmitLosesNothing(@InjectMiniCluster MiniCluster mini) throws Exception {
        // points wait in the sink's buffer across checkpoints (batches fill slowly); then cancel and start anew from
        // the committed offsets, without state, as a resubmit does
        Map<String, String> slowBuffer = Map.of(
                "sink.opentsdb.max-time-in-buffer", "20 s",
                "sink.opentsdb.max-batch-points", "1000",
                "sink.opentsdb.max-buffered-points", "20000");
        twoJobs(mini, "stateless resubmit", slowBuffer, false, Map.of());
    }

    @Test
    @Timeout(600)
    void savepointResumeWithOtherParallelism(@InjectMiniCluster MiniCluster mini) throws Exception {
        // source and decode keep their parallelism: the order within a partition (which value is "first") holds
        twoJobs(mini, "savepoint resume, parallelism 2->3/1", Map.of(), true,
                Map.of("parallelism.series", "3", "parallelism.sink", "1", "parallelism.dead-letter", "2"));
    }

    private void twoJobs(MiniCluster mini, String scenario, Map<String, String> overrides, boolean savepoint,
            Map<String, String> second) throws Exception {
        ConservationDriver driver = new ConservationDriver(scenario, KAFKA::bootstrapServers).createTopics();
        try (LogLeakWatch logs = LogLeakWatch.start()) {
            logs.watch(driver.tokens());
            Map<String, String> conf = driver.jobConfig(TSDB.url());
            conf.putAll(overrides);
            conf.put("checkpoint.dir", Path.of("target", "chaos", "checkpoints").toAbsolutePath().toUri().toString());
            ConservationReport.JobStats stats;
            String savepointPath = null;
            try (ChaosJob first = ChaosJob.start(mini, conf)) {
                driver.produceBatch(0, 2);
                first.awaitCheckpoints(3, Duration.ofSeconds(60));
                if (savepoint) {
                    savepointPath = first.stopWithSavepoint(
                            Path.of("target", "chaos", "savepoints").toAbsolutePath().toUri().toString());
                }
                stats = first.stats();
            }
            Map<String, String> again = new HashMap<>(conf);
            again.putAll(second);
            if (savepointPath != null) {
                again.put("flink.execution.state-recovery.path", savepointPath);
            }
            ConservationReport report;
            try (ChaosJob next = ChaosJob.start(mini, again)) {
                driver.produceBatch(1, 2);
                report = driver.awaitComplete(TSDB, logs, ChaosScenariosITCase.SETTLE);
                stats = stats.plus(next.stats());
            }
            ChaosTable.recordAndAssertClean(report.withJob(stats));
        }
    }
}
