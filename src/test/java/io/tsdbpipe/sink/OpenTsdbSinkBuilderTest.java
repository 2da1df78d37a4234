package io.tsdbpipe.sink;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OpenTsdbSinkBuilderTest {

    private static OpenTsdbSinkSettings.Builder minimal() {
        return OpenTsdbSinkSettings.builder()
                .setEndpoints("http://tsd:4242/")
                .setDeadLetterPublisherFactory(TestingDeadLetterPublisher.factory());
    }

    private static OpenTsdbSinkBuilder sink() {
        return OpenTsdbSink.builder().setSettings(minimal().build());
    }

    @Test
    void defaultsFillEveryGapAndWorkAgainstADefaultTsd() {
        OpenTsdbSink sink = sink().build();
        OpenTsdbSinkSettings s = sink.settings();
        assertThat(s.endpoints).containsExactly("http://tsd:4242");
        assertThat(s.maxBatchBytes).isEqualTo(8192);
        assertThat(s.gzip).isTrue();
        assertThat(s.sync).isFalse();
        assertThat(s.putPathAndQuery()).isEqualTo("/api/put?details");
        assertThat(s.requestTimeout).isEqualTo(OpenTsdbSinkOptions.REQUEST_TIMEOUT.defaultValue());
        assertThat(s.deadLetterMaxItemChars).isEqualTo(OpenTsdbSinkSettings.DEFAULT_DEAD_LETTER_MAX_ITEM_CHARS);
        assertThat(s.toString()).contains("auth=none");
    }

    @Test
    void fromConfigurationReadsEveryOption() throws Exception {
        Configuration conf = new Configuration();
        conf.set(OpenTsdbSinkOptions.ENDPOINTS, List.of("http://a:4242", "https://b:4243/tsdb"));
        conf.set(OpenTsdbSinkOptions.MAX_BATCH_POINTS, 50);
        conf.set(OpenTsdbSinkOptions.MAX_BATCH_BYTES, MemorySize.parse("64kb"));
        conf.set(OpenTsdbSinkOptions.MAX_IN_FLIGHT_REQUESTS, 2);
        conf.set(OpenTsdbSinkOptions.MAX_BUFFERED_POINTS, 1000);
        conf.set(OpenTsdbSinkOptions.MAX_TIME_IN_BUFFER, Duration.ofMillis(200));
        conf.set(OpenTsdbSinkOptions.REQUEST_TIMEOUT, Duration.ofSeconds(30));
        conf.set(OpenTsdbSinkOptions.GZIP, false);
        conf.set(OpenTsdbSinkOptions.SYNC, true);
        conf.set(OpenTsdbSinkOptions.SYNC_TIMEOUT, Duration.ofSeconds(5));
        conf.set(OpenTsdbSinkOptions.RETRY_INITIAL_BACKOFF, Duration.ofMillis(10));
        conf.set(OpenTsdbSinkOptions.RETRY_MAX_BACKOFF, Duration.ofSeconds(1));
        conf.set(OpenTsdbSinkOptions.ENDPOINT_COOLDOWN, Duration.ofSeconds(2));
        conf.set(OpenTsdbSinkOptions.AUTH_HEADER_NAME, "X-Api-Key");
        conf.set(OpenTsdbSinkOptions.AUTH_HEADER_VALUE, "secret");

        OpenTsdbSink sink = OpenTsdbSinkBuilder.fromConfiguration(conf, TestingDeadLetterPublisher.factory());
        OpenTsdbSinkSettings s = sink.settings();
        assertThat(s.endpoints).containsExactly("http://a:4242", "https://b:4243/tsdb");
        assertThat(s.maxBatchBytes).isEqualTo(65536);
        assertThat(s.gzip).isFalse();
        assertThat(s.putPathAndQuery()).isEqualTo("/api/put?details&sync&sync_timeout=5000");
        assertThat(s.retryInitialBackoff).isEqualTo(Duration.ofMillis(10));
        assertThat(s.endpointCooldown).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.authHeaderName).isEqualTo("X-Api-Key");
        assertThat(s.toString()).doesNotContain("secret");
        // The sink travels with the job graph.
        OpenTsdbSink copy = InstantiationUtil.clone(sink);
        assertThat(copy.settings().endpoints).isEqualTo(s.endpoints);
    }

    @Test
    void endpointsAreRequiredAndMustBeBaseUrls() {
        assertThatThrownBy(() -> OpenTsdbSinkSettings.builder()
                .setDeadLetterPublisherFactory(TestingDeadLetterPublisher.factory()).build())
                .hasMessageContaining("sink.opentsdb.endpoints is required");
        assertThatThrownBy(() -> minimal().setEndpoints("tsd:4242").build())
                .hasMessageContaining("must start with http:// or https://");
        assertThatThrownBy(() -> minimal().setEndpoints("ftp://tsd").build())
                .hasMessageContaining("must start with http:// or https://");
        assertThatThrownBy(() -> minimal().setEndpoints("http://tsd:4242/api/put").build())
                .hasMessageContaining("without /api/put");
        assertThatThrownBy(() -> minimal().setEndpoints("http://tsd:4242/?details").build())
                .hasMessageContaining("without query");
        assertThatThrownBy(() -> minimal().setEndpoints("http://u:p@tsd:4242").build())
                .hasMessageContaining("must not carry credentials");
    }

    @Test
    void limitsAreValidatedWithTheOptionNames() {
        assertThatThrownBy(() -> sink().setMaxBatchPoints(0).build())
                .hasMessageContaining("sink.opentsdb.max-batch-points must be positive");
        assertThatThrownBy(() -> minimal().setMaxBatchBytes(100).build())
                .hasMessageContaining("sink.opentsdb.max-batch-bytes must be at least 512");
        assertThatThrownBy(() -> sink().setMaxBatchPoints(500).setMaxBufferedPoints(500).build())
                .hasMessageContaining("max-buffered-points (500) must be greater than sink.opentsdb.max-batch-points");
        assertThatThrownBy(() -> sink().setMaxInFlightRequests(0).build())
                .hasMessageContaining("max-in-flight-requests must be positive");
        assertThatThrownBy(() -> minimal().setRequestTimeout(Duration.ZERO).build())
                .hasMessageContaining("request-timeout must be positive");
        assertThatThrownBy(() -> minimal().setRetryInitialBackoff(Duration.ofSeconds(5))
                .setRetryMaxBackoff(Duration.ofSeconds(1)).build())
                .hasMessageContaining("retry.max-backoff (PT1S) must not be below");
        assertThatThrownBy(() -> minimal().setSync(true).setSyncTimeout(Duration.ofSeconds(20)).build())
                .hasMessageContaining("request-timeout (PT15S) must be longer than sink.opentsdb.sync-timeout");
        assertThatThrownBy(() -> minimal().setDeadLetterPublisherFactory(null).build())
                .hasMessageContaining("dead-letter publisher factory is required");
    }

    @Test
    void authSettingsAreValidated() {
        assertThatThrownBy(() -> minimal().setBasicAuth("u", null).build())
                .hasMessageContaining("must be set together");
        assertThatThrownBy(() -> minimal().setAuthHeader("X-Key", null).build())
                .hasMessageContaining("must be set together");
        assertThatThrownBy(() -> minimal().setAuthHeader("Content-Length", "1").build())
                .hasMessageContaining("the sink sets that header itself");
        assertThatThrownBy(() -> minimal().setAuthHeader("Bad Name", "1").build())
                .hasMessageContaining("not a valid header name");
        assertThatThrownBy(() -> minimal().setBasicAuth("u", "p").setAuthHeader("authorization", "Bearer x").build())
                .hasMessageContaining("not both");
        assertThat(minimal().setBasicAuth("u", "p").setAuthHeader("X-Tenant", "t").build().toString())
                .contains("auth=basic").doesNotContain("p,");
    }
}
