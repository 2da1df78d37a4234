package io.tsdbpipe.gateway;

import java.math.BigDecimal;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

/**
 * The gateway's counters, gauges and produce latency histogram, rendered in Prometheus' text exposition format
 * (version 0.0.4) for {@code GET /metrics}. Counting is a {@link LongAdder} increment per call: cheap on every event
 * loop at once. Thread-safe.
 */
public final class GatewayMetrics {

    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /** Upper bounds (seconds) of the produce latency buckets: from a local broker's ms to an ack timeout's seconds. */
    static final double[] LATENCY_BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    private final ConcurrentMap<List<String>, LongAdder> requests = new ConcurrentHashMap<>();
    private final ConcurrentMap<List<String>, LongAdder> rejected = new ConcurrentHashMap<>();
    private final ConcurrentMap<Long, LongAdder> rateLimited = new ConcurrentHashMap<>();
    private final Map<Endpoint, LongAdder> requestBytes = perEndpoint();
    private final Map<Endpoint, LongAdder> recordsProduced = perEndpoint();
    private final Map<Endpoint, Histogram> produceLatency = new TreeMap<>();

    private final IntSupplier pendingRequests;
    private final BooleanSupplier kafkaReachable;
    private final IntSupplier channels;

    /**
     * @param pendingRequests requests taken and not yet answered
     * @param kafkaReachable whether the brokers answered recently
     * @param channels channels the gateway knows (disabled ones included)
     */
    public GatewayMetrics(IntSupplier pendingRequests, BooleanSupplier kafkaReachable, IntSupplier channels) {
        this.pendingRequests = pendingRequests;
        this.kafkaReachable = kafkaReachable;
        this.channels = channels;
        for (Endpoint e : Endpoint.values()) {
            produceLatency.put(e, new Histogram());
        }
    }

    /** A request answered with this status (every answer of a report endpoint, refusals included). */
    public void request(Endpoint endpoint, int status) {
        requests.computeIfAbsent(List.of(endpoint.label(), Integer.toString(status)), k -> new LongAdder()).increment();
    }

    /** Body bytes as received (before any decompression). */
    public void requestBytes(Endpoint endpoint, long bytes) {
        requestBytes.get(endpoint).add(bytes);
    }

    /** Records the broker acknowledged. */
    public void recordsProduced(Endpoint endpoint, int records) {
        recordsProduced.get(endpoint).add(records);
    }

    /** From handing the records to the producer to the broker's acknowledgement of all of them. */
    public void produceLatency(Endpoint endpoint, long nanos) {
        produceLatency.get(endpoint).observe(nanos);
    }

    public void rejected(Endpoint endpoint, String reasonCode) {
        rejected.computeIfAbsent(List.of(endpoint.label(), reasonCode), k -> new LongAdder()).increment();
    }

    public void rateLimited(long dataId) {
        rateLimited.computeIfAbsent(dataId, k -> new LongAdder()).increment();
    }

    /** The exposition text of every metric. */
    public String render() {
        StringBuilder out = new StringBuilder(4096);
        header(out, "gateway_requests_total", "counter", "Requests answered, by endpoint and HTTP status.");
        sorted(requests).forEach((k, v) -> sample(out, "gateway_requests_total",
                new String[] {"endpoint", k.get(0), "status", k.get(1)}, v.sum()));
        header(out, "gateway_request_bytes_total", "counter", "Request body bytes as received, by endpoint.");
        requestBytes.forEach((e, v) -> sample(out, "gateway_request_bytes_total",
                new String[] {"endpoint", e.label()}, v.sum()));
        header(out, "gateway_records_produced_total", "counter",
                "Records the broker acknowledged (acks=all), by endpoint.");
        recordsProduced.forEach((e, v) -> sample(out, "gateway_records_produced_total",
                new String[] {"endpoint", e.label()}, v.sum()));
        header(out, "gateway_produce_latency_seconds", "histogram",
                "From handing a request's records to the producer to the broker's acknowledgement of all of them.");
        produceLatency.forEach((e, h) -> h.render(out, e.label()));
        header(out, "gateway_rejected_total", "counter", "Requests refused, by endpoint and reason code.");
        sorted(rejected).forEach((k, v) -> sample(out, "gateway_rejected_total",
                new String[] {"endpoint", k.get(0), "reason", k.get(1)}, v.sum()));
        header(out, "gateway_rate_limited_total", "counter", "Requests refused by a channel's rate limit, by data_id.");
        new TreeMap<>(rateLimited).forEach((id, v) -> sample(out, "gateway_rate_limited_total",
                new String[] {"data_id", Long.toString(id)}, v.sum()));
        header(out, "gateway_pending_requests", "gauge", "Requests taken and not yet answered.");
        sample(out, "gateway_pending_requests", new String[0], pendingRequests.getAsInt());
        header(out, "gateway_kafka_reachable", "gauge", "1 when the brokers answered recently, else 0.");
        sample(out, "gateway_kafka_reachable", new String[0], kafkaReachable.getAsBoolean() ? 1 : 0);
        header(out, "gateway_channels", "gauge", "Channels of the channel topic the gateway knows.");
        sample(out, "gateway_channels", new String[0], channels.getAsInt());
        return out.toString();
    }

    /** A stable order of label tuples for the output. */
    private static Map<List<String>, LongAdder> sorted(Map<List<String>, LongAdder> m) {
        Map<List<String>, LongAdder> s = new TreeMap<>(Comparator.comparing((List<String> k) -> k.get(0))
                .thenComparing(k -> k.get(1)));
        s.putAll(m);
        return s;
    }

    private static Map<Endpoint, LongAdder> perEndpoint() {
        Map<Endpoint, LongAdder> m = new TreeMap<>();
        for (Endpoint e : Endpoint.values()) {
            m.put(e, new LongAdder());
        }
        return m;
    }

    private static void header(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void sample(StringBuilder out, String name, String[] labels, long value) {
        labels(out.append(name), labels).append(' ').append(value).append('\n');
    }

    private static StringBuilder labels(StringBuilder out, String[] labels) {
        if (labels.length > 0) {
            out.append('{');
            for (int i = 0; i < labels.length; i += 2) {
                if (i > 0) {
                    out.append(',');
                }
                out.append(labels[i]).append("=\"");
                escape(out, labels[i + 1]);
                out.append('"');
            }
            out.append('}');
        }
        return out;
    }

    /** The exposition format's label value escapes: backslash, double quote and line feed. */
    static void escape(StringBuilder out, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\':
                    out.append("\\\\");
                    break;
                case '"':
                    out.append("\\\"");
                    break;
                case '\n':
                    out.append("\\n");
                    break;
                default:
                    out.append(c);
            }
        }
    }

    static String formatBound(double bound) {
        return BigDecimal.valueOf(bound).stripTrailingZeros().toPlainString();
    }

    /** Counts per bucket (cumulated when rendered), and the sum in nanoseconds. */
    private static final class Histogram {
        private final LongAdder[] buckets = new LongAdder[LATENCY_BUCKETS.length + 1];
        private final LongAdder sumNanos = new LongAdder();

        Histogram() {
            for (int i = 0; i < buckets.length; i++) {
                buckets[i] = new LongAdder();
            }
        }

        void observe(long nanos) {
            double seconds = nanos / 1e9;
            int i = 0;
            while (i < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[i]) {
                i++;
            }
            buckets[i].increment();
            sumNanos.add(nanos);
        }

        void render(StringBuilder out, String endpoint) {
            long cumulative = 0;
            for (int i = 0; i < buckets.length; i++) {
                cumulative += buckets[i].sum();
                String le = i < LATENCY_BUCKETS.length ? formatBound(LATENCY_BUCKETS[i]) : "+Inf";
                sample(out, "gateway_produce_latency_seconds_bucket", new String[] {"endpoint", endpoint, "le", le},
                        cumulative);
            }
            labels(out.append("gateway_produce_latency_seconds_sum"), new String[] {"endpoint", endpoint})
                    .append(' ').append(sumNanos.sum() / 1e9).append('\n');
            sample(out, "gateway_produce_latency_seconds_count", new String[] {"endpoint", endpoint}, cumulative);
        }
    }
}
