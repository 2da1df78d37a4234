package io.tsdbpipe.job;

import io.tsdbpipe.series.ConflictPolicy;

import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobConfigTest {

    @TempDir
    Path dir;

    @Test
    void readsNestedYamlWithListsAndLetsTheCommandLineOverride() throws Exception {
        Path file = dir.resolve("job.yaml");
        Files.writeString(file, String.join("\n",
                "source:",
                "  topics: [tbds, opentsdb]",
                "  properties:",
                "    security.protocol: PLAINTEXT",
                "series:",
                "  ttl: 30 min",
                "validation.max-future: 10 min",
                "parallelism:",
                "  series: 4",
                "flink:",
                "  state.backend.type: rocksdb",
                ""));
        Configuration conf = JobConfig.fromArgs(new String[] {
                "--config", file.toString(), "--parallelism.series", "6", "--series.window=4"}).configuration();
        assertThat(conf.get(SourceOptions.TOPICS)).containsExactly("tbds", "opentsdb");
        assertThat(conf.get(SeriesOptions.TTL)).isEqualTo(Duration.ofMinutes(30));
        assertThat(conf.get(ValidationOptions.MAX_FUTURE)).isEqualTo(Duration.ofMinutes(10));
        assertThat(conf.get(ParallelismOptions.SERIES)).isEqualTo(6);
        assertThat(conf.get(SeriesOptions.WINDOW)).isEqualTo(4);
        Configuration flink = PipelineComponents.flinkConfiguration(conf);
        assertThat(flink.toMap()).containsEntry("state.backend.type", "rocksdb")
                .containsEntry("pipeline.generic-types", "false")
                .containsEntry("restart-strategy.type", "exponential-delay");
        assertThat(PipelineComponents.deadLetterProducerProperties(conf).getProperty("bootstrap.servers"))
                .isEqualTo("127.0.0.1:9092");
    }

    @Test
    void unknownKeyFailsNamingIt() {
        assertThatThrownBy(() -> JobConfig.of(Map.of("series.windw", "4")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'series.windw'")
                .hasMessageContaining("did you mean 'series.window'");
    }

    @Test
    void invalidValueFailsNamingTheKey() {
        assertThatThrownBy(() -> JobConfig.of(Map.of("series.window", "many")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'series.window'")
                .hasMessageContaining("many");
        assertThatThrownBy(() -> JobConfig.of(Map.of("series.conflict-policy", "random")))
                .hasMessageContaining("'series.conflict-policy'");
        assertThatThrownBy(() -> JobConfig.of(Map.of("validation.max-future", "soon")))
                .hasMessageContaining("'validation.max-future'");
    }

    @Test
    void lastWinsIsRefusedSayingWhy() {
        // the sink retries and reorders writes: "last" is not defined at the TSD, a retried older value could win
        assertThatThrownBy(() -> JobConfig.of(Map.of("series.conflict-policy", "last_wins")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'series.conflict-policy'")
                .hasMessageContaining("removed")
                .hasMessageContaining("retries");
        assertThatThrownBy(() -> JobConfig.of(Map.of("series.conflict-policy", "LAST_WINS")))
                .hasMessageContaining("removed");
        assertThat(JobConfig.of(Map.of("series.conflict-policy", "first_wins")).configuration()
                .get(SeriesOptions.CONFLICT_POLICY)).isEqualTo(ConflictPolicy.FIRST_WINS);
    }

    @Test
    void maxTagsIsBoundedByWhatADatapointCanCarry() {
        assertThatThrownBy(() -> JobConfig.of(Map.of("validation.max-tags", "256")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'validation.max-tags'")
                .hasMessageContaining("1..255");
        assertThatThrownBy(() -> JobConfig.of(Map.of("validation.max-tags", "0")))
                .hasMessageContaining("'validation.max-tags'");
        Configuration conf = JobConfig.of(Map.of("validation.max-tags", "255")).configuration();
        assertThat(PipelineComponents.rules(conf).maxTags()).isEqualTo(255);
    }

    @Test
    void unknownFormatFailsNamingIt() {
        Configuration conf = JobConfig.of(Map.of("formats.enabled", "tbds;csv")).configuration();
        assertThatThrownBy(() -> PipelineComponents.decoder(conf))
                .hasMessageContaining("'csv'")
                .hasMessageContaining("formats.enabled");
    }

    @Test
    void channelsAndMappingsOfTheConfigurationAreValidatedAtStartNamingTheKey() {
        assertThatThrownBy(() -> JobConfig.of(Map.of("channels.static.1500001.kind", "logs",
                "channels.static.1500001.token", "0123456789abcdef0123")))
                .hasMessageContaining("'channels.static.1500001.kind'");
        assertThatThrownBy(() -> JobConfig.of(Map.of("channels.static.1500001.colour", "red")))
                .hasMessageContaining("'channels.static.1500001.colour'");
        assertThatThrownBy(() -> JobConfig.of(Map.of("mappings.seed.appid", "appIds")))
                .hasMessageContaining("'mappings.seed.metricname' is required");
        assertThatThrownBy(() -> JobConfig.of(Map.of("mappings.order", "nope")))
                .hasMessageContaining("'mappings.order'");
        assertThatThrownBy(() -> JobConfig.of(Map.of("channels.topik", "x")))
                .hasMessageContaining("did you mean 'channels.topic'");
        Configuration conf = JobConfig.of(Map.of("events.window", "90 s", "events.allowed-lateness", "0 s"))
                .configuration();
        assertThat(PipelineSettings.fromConfiguration(conf).events().window()).isEqualTo(Duration.ofSeconds(90));
        Configuration badWindow = JobConfig.of(Map.of("events.window", "1500 ms")).configuration();
        assertThatThrownBy(() -> PipelineSettings.fromConfiguration(badWindow)).hasMessageContaining("events.window");
    }

    @Test
    void theExampleConfigurationInTheRepositoryIsValid() throws Exception {
        Path example = Path.of("flink-conf", "pipeline.yaml");
        Configuration conf = JobConfig.fromArgs(new String[] {"--config", example.toString()}).configuration();
        assertThat(conf.get(SourceOptions.TOPICS)).isNotEmpty();
        assertThat(PipelineComponents.decoder(conf)).isNotNull();
        assertThat(PipelineComponents.decoder(conf).emitsEvents()).isTrue();
        assertThat(PipelineComponents.channelSource(conf)).isPresent();
        assertThat(PipelineComponents.annotationLimits(conf)).isNotNull();
    }

    private static final String TSD = "sink.opentsdb.endpoints";
    private static final String URL = "http://127.0.0.1:4242";

    @Test
    void anEmptyTopicTurnsTheChannelTopicAndTheEventsTopicOff() {
        Configuration on = JobConfig.of(Map.of(TSD, URL)).configuration();
        assertThat(PipelineComponents.channelLoader(on)).isPresent();
        assertThat(PipelineParts.fromConfiguration(on).eventsSink()).isPresent();
        Configuration off = JobConfig.of(Map.of(TSD, URL, "channels.topic", "", "events.topic", " "))
                .configuration();
        PipelineParts parts = PipelineParts.fromConfiguration(off);
        assertThat(parts.channelSource()).isEmpty();
        assertThat(parts.channelLoader()).isEmpty();
        assertThat(parts.eventsSink()).isEmpty();
        assertThat(parts.annotationSink()).isPresent();
    }

    @Test
    void withoutAFormatThatEmitsEventsThereAreNoEventParts() {
        Configuration conf = JobConfig.of(Map.of(TSD, URL, "formats.enabled", "tbds")).configuration();
        PipelineParts parts = PipelineParts.fromConfiguration(conf);
        assertThat(parts.decoder().emitsEvents()).isFalse();
        assertThat(parts.channelSource()).isEmpty();
        assertThat(parts.annotationSink()).isEmpty();
        assertThat(parts.eventsSink()).isEmpty();
    }

    @Test
    void everyOptionHasADescriptionAndADocumentedKey() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        List<String> undocumented = JobConfig.knownOptions().keySet().stream()
                .filter(key -> !readme.contains("`" + key + "`"))
                .toList();
        assertThat(undocumented).as("keys missing from README.md's configuration reference").isEmpty();
        JobConfig.knownOptions().values().forEach(o -> assertThat(o.description().toString()).isNotBlank());
    }
}
