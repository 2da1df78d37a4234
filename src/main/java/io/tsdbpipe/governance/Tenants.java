package io.tsdbpipe.governance;

import io.tsdbpipe.channel.Channel;
import io.tsdbpipe.point.DataPoint;

import org.apache.flink.api.java.tuple.Tuple5;
import org.apache.flink.metrics.MetricGroup;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The tenants of one subtask of the series stage and the channel registry their limits come from. A tenant's limits
 * are the configuration's defaults under its channel's own values (a data_id tenant; others take the defaults), split
 * over the stage's subtasks ({@link TenantState#share}); a channel record read at runtime changes them for the next
 * point. Not thread-safe: the operator's thread only.
 */
public final class Tenants {

    private final GovernanceSettings settings;
    private final int parallelism;
    private final MetricGroup metrics;
    private final LongSupplier clock;
    private final Map<String, TenantState> tenants = new HashMap<>();
    private final Map<Long, Channel> channels = new HashMap<>();
    private long registryVersion;

    /**
     * @param metrics where each tenant's group ({@code tenant}, name) goes
     * @param clock processing time, for the gauges
     */
    public Tenants(GovernanceSettings settings, int parallelism, MetricGroup metrics, LongSupplier clock) {
        this.settings = settings;
        this.parallelism = parallelism;
        this.metrics = metrics;
        this.clock = clock;
        settings.staticChannels().channels().values().forEach(this::channel);
    }

    /** The tenant of a point (made on first sight). */
    public TenantState of(DataPoint point) {
        return named(settings.tenants().tenantOf(point));
    }

    public TenantState named(String name) {
        TenantState t = tenants.get(name);
        if (t == null) {
            t = new TenantState(name);
            t.register(metrics, clock);
            tenants.put(name, t);
        }
        if (t.registryVersion() != registryVersion) {
            t.limits(settings.limitsOf(t.dataId() < 0 ? null : channels.get(t.dataId())), registryVersion, parallelism);
        }
        return t;
    }

    /** A channel record (the newest per data_id counts): the limits of its tenant change for its next point. */
    public void channel(Channel c) {
        Channel known = channels.get(c.dataId());
        if (known == null || c.version() >= known.version()) {
            channels.put(c.dataId(), c);
            registryVersion++;
        }
    }

    /** The channel of a data_id as known here, or null. */
    public Channel channelOf(long dataId) {
        return channels.get(dataId);
    }

    /**
     * The counts of new series of the current hour and day, per tenant: {@code (tenant, hour, count, day, count)}, for
     * the operator's union state (a restart must not let a tenant start its hour over).
     */
    public List<Tuple5<String, Long, Long, Long, Long>> newSeriesCounts() {
        List<Tuple5<String, Long, Long, Long, Long>> out = new ArrayList<>();
        for (TenantState t : tenants.values()) {
            if (t.newThisHourRaw() > 0 || t.newTodayRaw() > 0) {
                out.add(Tuple5.of(t.name(), t.hour(), t.newThisHourRaw(), t.day(), t.newTodayRaw()));
            }
        }
        return out;
    }

    /**
     * Restores the counts of every subtask of the earlier run (union state): each tenant's counts of the current hour
     * and day summed, and this subtask's share taken (the sum over the subtasks, rounded up).
     */
    public void restoreNewSeriesCounts(Iterable<Tuple5<String, Long, Long, Long, Long>> all, long nowMillis) {
        Map<String, long[]> sums = new HashMap<>();
        long hour = Math.floorDiv(nowMillis, 3_600_000L);
        long day = Math.floorDiv(nowMillis, 86_400_000L);
        for (Tuple5<String, Long, Long, Long, Long> e : all) {
            long[] s = sums.computeIfAbsent(e.f0, k -> new long[2]);
            if (e.f1 == hour) {
                s[0] += e.f2;
            }
            if (e.f3 == day) {
                s[1] += e.f4;
            }
        }
        sums.forEach((name, s) -> named(name).restoreNew(hour, TenantState.share(s[0], parallelism), day,
                TenantState.share(s[1], parallelism), nowMillis));
    }
}
