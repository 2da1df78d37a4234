package io.tsdbpipe.chaos;

import io.tsdbpipe.point.DataPoint;
import io.tsdbpipe.sink.OpenTsdbSink;
import io.tsdbpipe.testing.FailingSink;
import io.tsdbpipe.testing.FaultInjectingProxy;
import io.tsdbpipe.testing.FaultInjectingProxy.Fault;
import io.tsdbpipe.testing.MiniClusters;
import io.tsdbpipe.testing.RealOpenTsdb;
import io.tsdbpipe.testing.TestingKafkaBroker;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.Map;
import java.util.function.Function;

/**
 * The quick fault scenarios (part of {@code mvn verify}): the real job on a MiniCluster, the in-JVM Kafka broker and
 * the real OpenTSDB 2.4.1 on HBase, behind a {@link FaultInjectingProxy} where a scenario needs faults. Each scenario
 * runs the {@link ConservationDriver} over its own topics and metrics and asserts 0 lost, 0 corrupted, 0 unexplained
 * and 0 leaked; its row goes to {@code target/chaos/results.md}. The long scenarios are in {@link ChaosLongITCase}.
 */
class ChaosScenariosITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = MiniClusters.oneTaskManager(4);

    @RegisterExtension
    static final RealOpenTsdb TSDB = RealOpenTsdb.shared();

    private static final TestingKafkaBroker KAFKA = TestingKafkaBroker.shared();

    /** How long a scenario waits for every input to be accounted for once its faults are over. */
    static final Duration SETTLE = Duration.ofSeconds(90);

    /** Runs one scenario: the job, the faults, the check. */
    interface Body {
        void run(ConservationDriver driver, ChaosJob job) throws Exception;
    }

    static ConservationReport run(String scenario, MiniCluster mini, String endpoints, Map<String, String> overrides,
            Function<OpenTsdbSink, Sink<DataPoint>> wrap, Body body) throws Exception {
        return run(new ConservationDriver(scenario, KAFKA::bootstrapServers), mini, endpoints, overrides, wrap, body);
    }

    /** Runs one scenario with the driver's brokers; {@code body} may start more jobs after the first (resubmits). */
    static ConservationReport run(ConservationDriver driver, MiniCluster mini, String endpoints,
            Map<String, String> overrides, Function<OpenTsdbSink, Sink<DataPoint>> wrap, Body body) throws Exception {
        String scenario = driver.scenario;
        driver.createTopics();
        try (LogLeakWatch logs = LogLeakWatch.start()) {
            logs.watch(driver.tokens());
            Map<String, String> conf = driver.jobConfig(endpoints);
            conf.putAll(overrides);
            ConservationReport report;
            try (ChaosJob job = ChaosJob.start(mini, conf, wrap)) {
                String failure = null;
                try {
                    body.run(driver, job);
                } catch (AssertionError e) {
                    failure = e.getMessage(); // still account for everything: the table shows what it cost
                }
                report = driver.awaitComplete(TSDB, logs, SETTLE).withJob(job.stats());
                if (failure != null) {
                    report = report.withProblem("scenario step failed: " + failure);
                    ChaosTable.record(report);
                    throw new AssertionError(scenario + ": " + failure + "\n" + report);
                }
            }
            return report;
        }
    }

    @Test
    @Timeout(240)
    void baseline(@InjectMiniCluster MiniCluster mini) throws Exception {
        ConservationReport report = run("baseline (no fault)", mini, TSDB.url(), Map.of(), s -> s,
                (driver, job) -> driver.produceBatch(0, 2));
        ChaosTable.recordAndAssertClean(report);
    }

    @Test
    @Timeout(300)
    void tsdUnreachableFor20Seconds(@InjectMiniCluster MiniCluster mini) throws Exception {
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(TSDB.url())) {
            ConservationReport report = run("TSD unreachable 20 s (proxy)", mini, proxy.url(), Map.of(), s -> s,
                    (driver, job) -> outage(driver, job, proxy, Duration.ofSeconds(20)));
            ChaosTable.recordAndAssertClean(report);
        }
    }

    /** Connections refused for {@code length}: the job keeps checkpointing and restarts nothing. */
    static void outage(ConservationDriver driver, ChaosJob job, FaultInjectingProxy proxy, Duration length)
            throws Exception {
        proxy.fault(Fault.REFUSE);
        try {
            driver.produceBatch(0, 2);
            long before = job.completedCheckpoints();
            Thread.sleep(length.toMillis());
            long during = job.completedCheckpoints() - before;
            long restarts = job.restarts();
            if (during < 2 || restarts > 0) {
                throw new AssertionError(String.format(
                        "during the outage %d checkpoints completed (at least 2 expected) and the job restarted %d"
                                + " times (0 expected)", during, restarts));
            }
        } finally {
            proxy.pass();
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Fault.class, names = {
        "STATUS_500", "STATUS_503", "THROTTLE", "HTML_200", "DETAILS_MISMATCH", "DROP_AFTER_FORWARD"})
    @Timeout(240)
    void tsdAnswersTheFirstRequestsWith(Fault fault, @InjectMiniCluster MiniCluster mini) throws Exception {
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(TSDB.url())) {
            ConservationReport report = run("proxy: first 6 puts " + fault, mini, proxy.url(), Map.of(), s -> s,
                    (driver, job) -> {
                        proxy.fault(fault, 6);
                        driver.produceBatch(0, 1);
                    });
            ChaosTable.recordAndAssertClean(report.withProblem(fault + " injected into "
                    + proxy.injected(fault) + " requests"));
        }
    }

    @Test
    @Timeout(240)
    void tsdStallsRequestsFor10Seconds(@InjectMiniCluster MiniCluster mini) throws Exception {
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(TSDB.url())) {
            ConservationReport report = run("proxy: puts stall 10 s (timeouts)", mini, proxy.url(), Map.of(), s -> s,
                    (driver, job) -> {
                        proxy.fault(Fault.STALL);
                        driver.produceBatch(0, 1);
                        Thread.sleep(10_000);
                        proxy.pass();
                    });
            ChaosTable.recordAndAssertClean(report);
        }
    }

    @Test
    @Timeout(240)
    void oneOfTwoEndpointsAnswers401(@InjectMiniCluster MiniCluster mini) throws Exception {
        try (FaultInjectingProxy refusing = FaultInjectingProxy.start(TSDB.url());
                FaultInjectingProxy healthy = FaultInjectingProxy.start(TSDB.url())) {
            refusing.faultPaths("/").fault(Fault.STATUS_401);
            ConservationReport report = run("one of two TSDs answers 401", mini,
                    refusing.url() + ";" + healthy.url(), Map.of(), s -> s,
                    (driver, job) -> {
                        driver.produceBatch(0, 1);
                        job.awaitCheckpoints(3, Duration.ofSeconds(60));
                    });
            if (report.job().restarts() > 0) {
                report = report.withProblem("the job restarted " + report.job().restarts()
                        + " times although one endpoint was healthy");
                ChaosTable.record(report);
                throw new AssertionError(report.toString());
            }
            ChaosTable.recordAndAssertClean(report);
        }
    }

    @Test
    @Timeout(300)
    void jobFailsThreeTimesOnceDuringACheckpoint(@InjectMiniCluster MiniCluster mini) throws Exception {
        FailingSink.reset();
        ConservationReport report = run("job fails 3x, once in a checkpoint", mini, TSDB.url(), Map.of(),
                FailingSink::new,
                (driver, job) -> {
                    FailingSink.FAIL_WRITES.set(1);
                    driver.produceBatch(0, 1);
                    job.await("the first failure and restart", Duration.ofSeconds(60), () -> job.restarts() >= 1);
                    job.awaitCheckpoints(2, Duration.ofSeconds(60));
                    FailingSink.FAIL_WRITES.set(1);
                    driver.produceBatch(1, 1);
                    job.await("the second restart", Duration.ofSeconds(60), () -> job.restarts() >= 2);
                    job.awaitCheckpoints(1, Duration.ofSeconds(60));
                    FailingSink.FAIL_SNAPSHOTS.set(1);
                    driver.produceBatch(2, 1);
                    job.await("the failure during a checkpoint", Duration.ofSeconds(60),
                            () -> FailingSink.FAILURES.get() >= 3 && job.restarts() >= 3);
                });
        ChaosTable.recordAndAssertClean(report);
    }
}
