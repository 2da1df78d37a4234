package io.tsdbpipe.job;

import io.tsdbpipe.channel.ChannelAdmin;
import io.tsdbpipe.testing.TestingKafkaBroker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** What the pipeline ITCases share: topics on the in-JVM broker, the job's configuration, dead-letter reading. */
final class PipelineTestSupport {

    static final ObjectMapper JSON = new ObjectMapper();

    final TestingKafkaBroker kafka;
    final String topic;
    final String deadLetterTopic;

    PipelineTestSupport(TestingKafkaBroker kafka, String name, int partitions) {
        this.kafka = kafka;
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        this.topic = name + "-" + suffix;
        this.deadLetterTopic = name + "-dead-letter-" + suffix;
        kafka.createTopic(topic, partitions);
        kafka.createTopic(deadLetterTopic, 1);
    }

    /** The job configuration for these topics and this OpenTSDB, with fast retries and checkpoints. */
    Map<String, String> config(String tsdbUrl) {
        Map<String, String> conf = new HashMap<>();
        conf.put("source.bootstrap-servers", kafka.bootstrapServers());
        conf.put("source.topics", topic);
        conf.put("source.group-id", topic);
        conf.put("source.start", "earliest");
        conf.put("dead-letter.topic", deadLetterTopic);
        conf.put("sink.opentsdb.endpoints", tsdbUrl);
        conf.put("sink.opentsdb.retry.initial-backoff", "20 ms");
        conf.put("sink.opentsdb.retry.max-backoff", "200 ms");
        conf.put("sink.opentsdb.request-timeout", "2 s");
        conf.put("sink.opentsdb.endpoint-cooldown", "200 ms");
        conf.put("checkpoint.interval", "500 ms");
        conf.put("restart.initial-backoff", "100 ms");
        conf.put("restart.max-backoff", "1 s");
        conf.put("parallelism.source", "2");
        conf.put("parallelism.decode", "2");
        conf.put("parallelism.series", "2");
        conf.put("parallelism.sink", "2");
        conf.put("parallelism.dead-letter", "1");
        return conf;
    }

    /** No event stages (no events topic, no annotations): the configuration of a test of the datapoint path. */
    static void withoutEvents(Map<String, String> conf) {
        conf.put("events.topic", "");
        conf.put("events.annotations.enabled", "false");
    }

    /** A topic name of this test alone: {@code prefix-} and 8 random hex digits. */
    static String uniqueTopic(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** The channel registry on {@code channelTopic} of this broker, as the channel command opens it. */
    ChannelAdmin channelAdmin(String channelTopic) {
        return new ChannelAdmin(channelTopic, kafka.clientProperties(), Duration.ofSeconds(30));
    }

    /** Builds the real job (Kafka source, OpenTSDB sink, dead-letter sink) on the MiniCluster's environment. */
    static StreamExecutionEnvironment realJob(Map<String, String> values) {
        return ReportPipelineJob.environment(JobConfig.of(values).configuration());
    }

    /** The lines of a file of the repository (e.g. the sample reports). */
    static List<String> lines(String path) {
        try {
            return Files.readAllLines(Path.of(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads the dead-letter topic until {@code expected} records arrived (or the timeout) and parses them. */
    List<JsonNode> deadLetters(int expected, Duration timeout) {
        List<JsonNode> out = new ArrayList<>();
        for (String value : kafka.consumeAll(deadLetterTopic, expected, timeout)) {
            try {
                out.add(JSON.readTree(value));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    static List<String> reasons(List<JsonNode> deadLetters) {
        List<String> reasons = new ArrayList<>();
        deadLetters.forEach(n -> reasons.add(n.get("reason").asText()));
        return reasons;
    }
}
