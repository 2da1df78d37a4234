package io.tsdbpipe.gateway;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class GatewayMetricsTest {

    /** A sample line of the text format: name, optional labels, a number. */
    private static final Pattern SAMPLE = Pattern.compile(
            "[a-zA-Z_:][a-zA-Z0-9_:]*(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\\\n]|\\\\[\\\\\"n])*\",?)*})? -?[0-9.eE+-]+");

    @Test
    void rendersTheContractsMetricsInTheTextFormat() {
        AtomicInteger pending = new AtomicInteger(3);
        AtomicBoolean reachable = new AtomicBoolean(true);
        GatewayMetrics m = new GatewayMetrics(pending::get, reachable::get, () -> 2);
        m.request(Endpoint.V2_PUSH, 200);
        m.request(Endpoint.V2_PUSH, 200);
        m.request(Endpoint.V2_PUSH, 401);
        m.rejected(Endpoint.V2_PUSH, "invalid_token");
        m.request(Endpoint.FLUME, 200);
        m.requestBytes(Endpoint.API_PUT, 120);
        m.recordsProduced(Endpoint.FLUME, 5);
        m.rateLimited(1500001);
        m.produceLatency(Endpoint.V2_PUSH, 3_000_000); // 3 ms
        m.produceLatency(Endpoint.V2_PUSH, 20_000_000_000L); // 20 s: only +Inf

        String text = m.render();
        List<String> lines = Arrays.asList(text.split("\n"));
        assertThat(lines).contains(
                "# TYPE gateway_requests_total counter",
                "gateway_requests_total{endpoint=\"v2_push\",status=\"200\"} 2",
                "gateway_requests_total{endpoint=\"v2_push\",status=\"401\"} 1",
                "gateway_requests_total{endpoint=\"flume\",status=\"200\"} 1",
                "gateway_request_bytes_total{endpoint=\"api_put\"} 120",
                "gateway_records_produced_total{endpoint=\"flume\"} 5",
                "gateway_records_produced_total{endpoint=\"v2_push\"} 0",
                "gateway_rejected_total{endpoint=\"v2_push\",reason=\"invalid_token\"} 1",
                "gateway_rate_limited_total{data_id=\"1500001\"} 1",
                "# TYPE gateway_produce_latency_seconds histogram",
                "gateway_produce_latency_seconds_bucket{endpoint=\"v2_push\",le=\"0.0025\"} 0",
                "gateway_produce_latency_seconds_bucket{endpoint=\"v2_push\",le=\"0.005\"} 1",
                "gateway_produce_latency_seconds_bucket{endpoint=\"v2_push\",le=\"10\"} 1",
                "gateway_produce_latency_seconds_bucket{endpoint=\"v2_push\",le=\"+Inf\"} 2",
                "gateway_produce_latency_seconds_sum{endpoint=\"v2_push\"} 20.003",
                "gateway_produce_latency_seconds_count{endpoint=\"v2_push\"} 2",
                "gateway_produce_latency_seconds_count{endpoint=\"api_put\"} 0",
                "# TYPE gateway_pending_requests gauge",
                "gateway_pending_requests 3",
                "gateway_kafka_reachable 1",
                "gateway_channels 2");
        // every line is a comment or a well-formed sample; the text ends with a line feed
        assertThat(lines).allSatisfy(l -> assertThat(l.startsWith("# HELP ") || l.startsWith("# TYPE ")
                || SAMPLE.matcher(l).matches()).as(l).isTrue());
        assertThat(text).endsWith("\n");
        // each metric family is announced once
        assertThat(lines.stream().filter(l -> l.startsWith("# TYPE")).collect(Collectors.toList()))
                .doesNotHaveDuplicates().hasSize(9);

        reachable.set(false);
        pending.set(0);
        assertThat(m.render()).contains("\ngateway_kafka_reachable 0\n", "\ngateway_pending_requests 0\n");
    }

    @Test
    void labelValuesAreEscaped() {
        StringBuilder out = new StringBuilder();
        GatewayMetrics.escape(out, "a\\b\"c\nd");
        assertThat(out.toString()).isEqualTo("a\\\\b\\\"c\\nd");
    }

    @Test
    void bucketBoundsArePlainNumbers() {
        assertThat(GatewayMetrics.formatBound(0.001)).isEqualTo("0.001");
        assertThat(GatewayMetrics.formatBound(1)).isEqualTo("1");
        assertThat(GatewayMetrics.formatBound(2.5)).isEqualTo("2.5");
    }
}
