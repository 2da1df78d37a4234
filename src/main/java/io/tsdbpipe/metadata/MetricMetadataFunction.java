package io.tsdbpipe.metadata;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The metadata stage, keyed by tenant: per metric of the tenant one {@link MetricSummary} (its bytes) in a
 * {@link MapState}, merged from the {@link MetadataPreAggregator}'s summaries. Keyed by tenant rather than by tenant and
 * metric so that the bound on metrics per tenant is exact; the pre-aggregation keeps a hot tenant's load at a few
 * records per metric and second.
 *
 * <p>On a processing-time timer of the tenant, at most every {@code publishInterval}, it emits
 * ({@code <tenant>/<metric>}, JSON) for each metric that changed (or whose points per minute did) since the last
 * publication, and a tombstone (empty value) for each metric not seen for {@code ttl}, which it forgets. A tenant with
 * no metric left has no state.
 *
 * <p>Metrics (group {@code metadata}): {@code recordsPublished}, {@code metricsExpired}, {@code metricsOverLimit}
 * (summaries of metrics beyond {@code maxMetricsPerTenant}, not kept).
 */
public final class MetricMetadataFunction
        extends KeyedProcessFunction<String, Tuple2<String, byte[]>, Tuple2<String, byte[]>> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(MetricMetadataFunction.class);
    private static final long MINUTE = 60_000L;
    /** An empty value is a tombstone on the topic. */
    static final byte[] TOMBSTONE = new byte[0];

    private final long publishIntervalMillis;
    private final long ttlMillis;
    private final int maxValues;
    private final int maxMetricsPerTenant;

    private transient MapState<String, byte[]> metrics;
    private transient ValueState<Integer> metricCount;
    private transient ValueState<Long> lastPublished;
    private transient ValueState<Long> timer;
    private transient Counter published;
    private transient Counter expired;
    private transient Counter overLimit;
    private transient Set<String> tenantsOverLimitLogged;

    public MetricMetadataFunction(Duration publishInterval, Duration ttl, int maxValues, int maxMetricsPerTenant) {
        if (publishInterval.toMillis() < 1) {
            throw new IllegalArgumentException("metadata publish interval must be positive, was " + publishInterval);
        }
        if (maxMetricsPerTenant < 1) {
            throw new IllegalArgumentException("max metrics per tenant must be at least 1, was " + maxMetricsPerTenant);
        }
        this.publishIntervalMillis = publishInterval.toMillis();
        this.ttlMillis = Math.max(publishIntervalMillis, ttl.toMillis());
        this.maxValues = maxValues;
        this.maxMetricsPerTenant = maxMetricsPerTenant;
    }

    @Override
    public void open(OpenContext openContext) {
        metrics = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("metrics", Types.STRING,
                        PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        metricCount = getRuntimeContext().getState(new ValueStateDescriptor<>("metric-count", Types.INT));
        lastPublished = getRuntimeContext().getState(new ValueStateDescriptor<>("last-published", Types.LONG));
        timer = getRuntimeContext().getState(new ValueStateDescriptor<>("timer", Types.LONG));
        MetricGroup group = getRuntimeContext().getMetricGroup().addGroup("metadata");
        published = group.counter("recordsPublished");
        expired = group.counter("metricsExpired");
        overLimit = group.counter("metricsOverLimit");
        tenantsOverLimitLogged = new HashSet<>();
    }

    @Override
    public void processElement(Tuple2<String, byte[]> value, Context ctx, Collector<Tuple2<String, byte[]>> out)
            throws Exception {
        long now = ctx.timerService().currentProcessingTime();
        MetricSummary partial = MetricSummary.fromBytes(value.f1);
        byte[] stored = metrics.get(partial.metric);
        MetricSummary summary;
        if (stored == null) {
            int count = metricCount.value() == null ? 0 : metricCount.value();
            if (count >= maxMetricsPerTenant) {
                overLimit.inc();
                if (tenantsOverLimitLogged.size() < 10_000 && tenantsOverLimitLogged.add(ctx.getCurrentKey())) {
                    LOG.warn("tenant {} reports more than {} metrics (metadata.max-metrics-per-tenant): the metadata"
                            + " of further metrics, such as {}, is not kept", ctx.getCurrentKey(),
                            maxMetricsPerTenant, partial.metric);
                }
                return;
            }
            metricCount.update(count + 1);
            summary = new MetricSummary(partial.tenant, partial.metric);
        } else {
            summary = MetricSummary.fromBytes(stored);
        }
        summary.merge(partial, now, maxValues);
        metrics.put(summary.metric, summary.toBytes());
        Long pending = timer.value();
        if (pending == null || pending > now + publishIntervalMillis) {
            if (pending != null) {
                ctx.timerService().deleteProcessingTimeTimer(pending);
            }
            schedule(ctx, now + publishIntervalMillis);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Tuple2<String, byte[]>> out) throws Exception {
        timer.clear();
        long now = Math.max(timestamp, ctx.timerService().currentProcessingTime());
        Long last = lastPublished.value();
        long since = last == null ? Long.MIN_VALUE : last;
        List<MetricSummary> changed = new ArrayList<>();
        List<String> gone = new ArrayList<>();
        long nextExpiry = Long.MAX_VALUE;
        boolean rateMayChange = false;
        for (Iterator<Map.Entry<String, byte[]>> it = metrics.iterator(); it.hasNext(); ) {
            MetricSummary s = MetricSummary.fromBytes(it.next().getValue());
            if (now - s.lastSeen >= ttlMillis) {
                gone.add(s.metric);
                continue;
            }
            long rate = s.pointsPerMinute(now);
            if (s.changedAt >= since || rate != s.publishedRate) {
                s.publishedRate = rate;
                changed.add(s);
            }
            // the rate is that of the last whole minute: it changes until two minutes after the last points
            rateMayChange |= now / MINUTE <= s.minute + 1;
            nextExpiry = Math.min(nextExpiry, s.lastSeen + ttlMillis);
        }
        for (MetricSummary s : changed) {
            metrics.put(s.metric, s.toBytes());
            out.collect(Tuple2.of(s.key(), s.toJson(now)));
            published.inc();
        }
        for (String metric : gone) {
            metrics.remove(metric);
            out.collect(Tuple2.of(MetricSummary.key(ctx.getCurrentKey(), metric), TOMBSTONE));
            expired.inc();
        }
        int left = (metricCount.value() == null ? 0 : metricCount.value()) - gone.size();
        if (left <= 0) {
            metrics.clear();
            metricCount.clear();
            lastPublished.clear();
            return;
        }
        metricCount.update(left);
        lastPublished.update(now);
        schedule(ctx, rateMayChange ? now + publishIntervalMillis : Math.max(now + publishIntervalMillis, nextExpiry));
    }

    private void schedule(Context ctx, long at) throws Exception {
        ctx.timerService().registerProcessingTimeTimer(at);
        timer.update(at);
    }
}
