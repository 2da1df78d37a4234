package io.tsdbpipe.metadata;

import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MetadataSettingsTest {

    private static Configuration conf(String... keyValues) {
        Configuration c = new Configuration();
        for (int i = 0; i < keyValues.length; i += 2) {
            c.setString(keyValues[i], keyValues[i + 1]);
        }
        return c;
    }

    @Test
    void offByDefaultAndTheDefaultsWhenOn() {
        assertThat(MetadataSettings.fromConfiguration(conf())).isEmpty();
        MetadataSettings s = MetadataSettings.fromConfiguration(conf("metadata.enabled", "true")).orElseThrow();
        assertThat(s.publishInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.maxValuesPerDimension()).isEqualTo(16);
        assertThat(s.maxMetricsPerTenant()).isEqualTo(1000);
        assertThat(s.ttl()).isEqualTo(Duration.ofDays(7));
        assertThat(s.preAggregateInterval()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void aBadValueStopsTheJobAtStartNamingItsKey() {
        assertThatThrownBy(() -> MetadataSettings.fromConfiguration(
                conf("metadata.enabled", "true", "metadata.max-values-per-dimension", "0")))
                .hasMessageContaining("metadata.max-values-per-dimension must be 1..1000, was 0");
        assertThatThrownBy(() -> MetadataSettings.fromConfiguration(
                conf("metadata.enabled", "true", "metadata.pre-aggregate-interval", "1 min")))
                .hasMessageContaining("metadata.pre-aggregate-interval");
        assertThatThrownBy(() -> MetadataSettings.fromConfiguration(
                conf("metadata.enabled", "true", "metadata.max-metrics-per-tenant", "0")))
                .hasMessageContaining("metadata.max-metrics-per-tenant");
    }

    @Test
    void theUidWatchTakesTheSinksEndpointsAndNeverPrintsItsCredentials() {
        assertThat(UidWatchSettings.fromConfiguration(conf())).isEmpty(); // no endpoints
        UidWatchSettings s = UidWatchSettings.fromConfiguration(conf(
                "sink.opentsdb.endpoints", "http://tsd1:4242;http://tsd2:4242",
                "sink.opentsdb.auth.header.name", "X-Api-Key",
                "sink.opentsdb.auth.header.value", "secret-key-123")).orElseThrow();
        assertThat(s.endpoints()).containsExactly("http://tsd1:4242", "http://tsd2:4242");
        assertThat(s.interval()).isEqualTo(Duration.ofMinutes(1));
        assertThat(s.warnShare()).isEqualTo(0.8);
        assertThat(s.headers()).containsEntry("X-Api-Key", "secret-key-123");
        assertThat(s.toString()).contains("X-Api-Key").doesNotContain("secret-key-123");
        assertThatThrownBy(() -> UidWatchSettings.fromConfiguration(conf(
                "sink.opentsdb.endpoints", "http://tsd1:4242", "cardinality.uid-warn-share", "80")))
                .hasMessageContaining("cardinality.uid-warn-share must be in (0, 1], was 80");
        assertThat(UidWatchSettings.fromConfiguration(conf(
                "sink.opentsdb.endpoints", "http://tsd1:4242", "cardinality.uid-check-interval", "0 s"))).isEmpty();
    }
}
