package io.tsdbpipe.chaos;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.utils.Time;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * A single-node KRaft broker in the test JVM that can be stopped and started again on the same ports with the same
 * data (the shared {@code TestingKafkaBroker} deletes its data on stop). Data under {@code target/chaos/kafka-*}. Public
 * for the gateway's Kafka outage test (ReportGatewayITCase).
 */
public final class RestartableKafkaBroker implements AutoCloseable {

    private static final String HOST = "127.0.0.1";

    private final Properties props;
    private final String bootstrap;
    private KafkaRaftServer server;

    public RestartableKafkaBroker(String name) {
        int port = freePort();
        int controllerPort = freePort();
        Path dir = Path.of("target", "chaos", "kafka-" + name + "-" + port).toAbsolutePath();
        props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.bootstrap.servers", HOST + ":" + controllerPort);
        props.put("listeners", "PLAINTEXT://" + HOST + ":" + port + ",CONTROLLER://" + HOST + ":" + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + port);
        props.put("controller.listener.names", "CONTROLLER");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
        props.put("log.dirs", dir.resolve("data").toString());
        props.put("num.partitions", "1");
        props.put("default.replication.factor", "1");
        props.put("min.insync.replicas", "1");
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "1");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("transaction.state.log.num.partitions", "1");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("share.coordinator.state.topic.num.partitions", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        props.put("auto.create.topics.enable", "false");
        props.put("num.network.threads", "2");
        props.put("num.io.threads", "2");
        bootstrap = HOST + ":" + port;
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve("server.properties");
            try (Writer w = Files.newBufferedWriter(file)) {
                props.store(w, "RestartableKafkaBroker");
            }
            withoutExit(() -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                int rc = StorageTool.execute(
                        new String[] {"format", "--standalone", "-t", Uuid.randomUuid().toString(), "-c", file.toString()},
                        new PrintStream(out, true, StandardCharsets.UTF_8));
                if (rc != 0) {
                    throw new IllegalStateException("StorageTool format failed: " + out.toString(StandardCharsets.UTF_8));
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String bootstrapServers() {
        return bootstrap;
    }

    public synchronized void start() {
        if (server == null) {
            withoutExit(() -> {
                KafkaRaftServer s = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
                s.startup();
                server = s;
            });
        }
    }

    public synchronized void stop() {
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
            server = null;
        }
    }

    @Override
    public void close() {
        stop();
    }

    /** Kafka's fatal errors throw instead of ending the test JVM. */
    private static void withoutExit(Runnable r) {
        Exit.setExitProcedure((code, message) -> {
            throw new IllegalStateException("Kafka called Exit.exit(" + code + "): " + message);
        });
        Exit.setHaltProcedure((code, message) -> {
            throw new IllegalStateException("Kafka called Exit.halt(" + code + "): " + message);
        });
        try {
            r.run();
        } finally {
            Exit.resetExitProcedure();
            Exit.resetHaltProcedure();
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getByName(HOST))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
