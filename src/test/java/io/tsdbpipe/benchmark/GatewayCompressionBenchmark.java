package io.tsdbpipe.benchmark;

import io.tsdbpipe.gateway.GatewayRecord;
import io.tsdbpipe.gateway.ReportProducer;
import io.tsdbpipe.testing.TestingKafkaBroker;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;

/**
 * What the gateway's producer compression costs in CPU: the same reports (BlueKing pushes and TBDS reports of about
 * 1 KB, as applications send them) produced through {@link ReportProducer} to an in-JVM broker with each
 * {@code compression.type}; prints CPU per record of the sending thread (where Kafka compresses: the gateway's event
 * loop) and of the whole process (producer I/O thread and broker included), and the bytes the broker stored.
 * Run: {@code java -cp target/test-classes:target/classes:$(cat target/bench-classpath.txt)
 * io.tsdbpipe.benchmark.GatewayCompressionBenchmark [RECORDS]} (the class path as scripts/bench.sh builds it).
 */
public final class GatewayCompressionBenchmark {

    private GatewayCompressionBenchmark() {}

    public static void main(String[] args) throws Exception {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        TestingKafkaBroker kafka = new TestingKafkaBroker();
        kafka.start();
        try {
            String[] types = {"none", "lz4", "none", "lz4", "snappy", "zstd"};
            System.out.printf("%-8s %14s %16s %12s%n", "type", "sender us/rec", "process us/rec", "stored MB");
            for (int round = 0; round < types.length; round++) {
                String topic = "compression-" + round;
                kafka.createTopic(topic, 2);
                double[] r = run(kafka.bootstrapServers(), topic, types[round], round < 2 ? records / 4 : records);
                if (round >= 2) { // the first two rounds warm the JIT
                    System.out.printf("%-8s %14.2f %16.2f %12.1f%n", types[round], r[0], r[1],
                            storedBytes(kafka, topic) / 1e6);
                }
            }
        } finally {
            kafka.stop();
        }
    }

    private static double[] run(String bootstrap, String topic, String compression, int records) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("compression.type", compression);
        p.put("linger.ms", "5");
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (ReportProducer producer = new ReportProducer(topic, p, Duration.ofSeconds(30), 64L << 20)) {
            while (!producer.reachable()) {
                Thread.sleep(50);
            }
            long thread0 = threads.getCurrentThreadCpuTime();
            long process0 = os.getProcessCpuTime();
            List<CompletableFuture<Void>> window = new ArrayList<>();
            for (int i = 0; i < records; i++) {
                window.add(producer.send(List.of(new GatewayRecord(null, report(i), Map.of()))));
                if (window.size() == 2000) {
                    CompletableFuture.allOf(window.toArray(new CompletableFuture[0])).join();
                    window.clear();
                }
            }
            CompletableFuture.allOf(window.toArray(new CompletableFuture[0])).join();
            long thread = threads.getCurrentThreadCpuTime() - thread0;
            long process = os.getProcessCpuTime() - process0;
            return new double[] {thread / 1e3 / records, process / 1e3 / records};
        }
    }

    private static long storedBytes(TestingKafkaBroker kafka, String topic) throws Exception {
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            int node = admin.describeCluster().nodes().get().iterator().next().id();
            return admin.describeLogDirs(List.of(node)).allDescriptions().get().values()
                    .stream().flatMap(m -> m.values().stream())
                    .flatMap(d -> d.replicaInfos().entrySet().stream())
                    .filter(e -> e.getKey().topic().equals(topic))
                    .mapToLong(e -> e.getValue().size()).sum();
        }
    }

    private static byte[] report(int i) {
        String s = i % 2 == 0
                ? "{\"data_id\":1500001,\"access_token\":\"9e0c4b1c0a1f4e2d8b7a6c5d4e3f2a1b9e0c4b1c0a1f4e2d8b7a6c5d4e3f2a1b\","
                        + "\"data\":[{\"metrics\":{\"cpu_load\":" + (i % 100) + ",\"mem_used\":" + (i * 7L)
                        + ",\"disk_io\":" + (i % 977) + "},\"target\":\"10.0." + (i % 256) + "." + (i % 13)
                        + "\",\"dimension\":{\"module\":\"db\",\"location\":\"guangdong\",\"instance\":\"i-" + i
                        + "\"},\"timestamp\":" + (1612509542000L + i) + "},{\"metrics\":{\"cpu_load\":" + (i % 91)
                        + ",\"mem_used\":" + (i * 3L) + "},\"target\":\"10.1." + (i % 256) + ".1\",\"dimension\":"
                        + "{\"module\":\"web\",\"location\":\"shanghai\"},\"timestamp\":" + (1612509542000L + i)
                        + "}]}"
                : "{\"metrics\":[{\"appid\":\"mking\",\"hostname\":\"tbds-172-16-0-" + (i % 200)
                        + "\",\"metricname\":\"network\",\"metrics\":{\"" + (1597634942159L + i) + "\":\""
                        + (406885354231L + i) + "\",\"" + (1597634952159L + i) + "\":\"" + (406885355231L + i)
                        + "\"},\"tags\":{\"instance_id\":\"lo\",\"type\":\"bytes_sent\"}},{\"appid\":\"mking\","
                        + "\"hostname\":\"tbds-172-16-0-" + (i % 200) + "\",\"metricname\":\"cpu\",\"metrics\":{\""
                        + (1597634942159L + i) + "\":\"" + (i % 100) + "\"},\"tags\":{\"core\":\"" + (i % 8)
                        + "\"}}]}";
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
