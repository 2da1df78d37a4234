package io.tsdbpipe.governance;

import io.tsdbpipe.point.DataPoint;
import io.tsdbpipe.deadletter.Origin;

import org.apache.flink.configuration.ReadableConfig;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;

/**
 * The tenant of a datapoint ({@code tenant.*}): whose limits it counts against and under whose name its metrics are.
 * The tenant of a BlueKing point is its data_id ({@code 1500001}: the channel's limits apply); of other points, by
 * {@code tenant.by}, their topic ({@code topic:reports}) or the first segments of their metric
 * ({@code prefix:app}). Not thread-safe (one per operator instance; it caches the strings it made).
 */
public final class TenantResolver implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Bound on each cache: a tenant string is made again, not kept, beyond it. */
    private static final int CACHE_LIMIT = 10_000;

    private final TenantBy by;
    private final int segments;

    private transient Map<Long, String> byDataId;
    private transient Map<String, String> byText;
    /** The last data_id's tenant: points arrive in runs of one report, no map look-up (nor boxing) for those. */
    private transient long lastDataId = Origin.NO_DATA_ID;
    private transient String lastTenant;

    public TenantResolver(TenantBy by, int metricPrefixSegments) {
        if (metricPrefixSegments < 1) {
            throw new IllegalArgumentException("tenant.metric-prefix-segments must be at least 1, was "
                    + metricPrefixSegments);
        }
        this.by = by;
        this.segments = metricPrefixSegments;
    }

    public static TenantResolver of(ReadableConfig conf) {
        return new TenantResolver(conf.get(TenantOptions.BY), conf.get(TenantOptions.METRIC_PREFIX_SEGMENTS));
    }

    public TenantBy by() {
        return by;
    }

    public String tenantOf(DataPoint point) {
        if (byDataId == null) {
            byDataId = new HashMap<>();
            byText = new HashMap<>();
        }
        Origin origin = point.origin();
        switch (by) {
            case DATA_ID:
                if (origin.hasDataId()) {
                    if (origin.dataId() == lastDataId && lastTenant != null) {
                        return lastTenant;
                    }
                    String t = byDataId.get(origin.dataId());
                    if (t == null) {
                        t = Long.toString(origin.dataId());
                        cache(byDataId, origin.dataId(), t);
                    }
                    lastDataId = origin.dataId();
                    lastTenant = t;
                    return t;
                }
                return topicTenant(origin.topic());
            case TOPIC:
                return topicTenant(origin.topic());
            default:
                return prefixTenant(point.metric());
        }
    }

    /** The data_id a tenant stands for (its channel's limits apply), or -1 for a topic or prefix tenant. */
    public static long dataIdOf(String tenant) {
        if (tenant.isEmpty() || tenant.length() > 18) {
            return -1;
        }
        for (int i = 0; i < tenant.length(); i++) {
            char c = tenant.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
        }
        return Long.parseLong(tenant);
    }

    private String topicTenant(String topic) {
        String t = byText.get(topic);
        if (t == null) {
            t = "topic:" + topic;
            cache(byText, topic, t);
        }
        return t;
    }

    private String prefixTenant(String metric) {
        int end = -1;
        for (int i = 0; i < segments; i++) {
            end = metric.indexOf('.', end + 1);
            if (end < 0) {
                end = metric.length();
                break;
            }
        }
        String prefix = metric.substring(0, end);
        String t = byText.get(prefix);
        if (t == null) {
            t = "prefix:" + prefix;
            cache(byText, prefix, t);
        }
        return t;
    }

    private static <K> void cache(Map<K, String> cache, K key, String tenant) {
        if (cache.size() >= CACHE_LIMIT) {
            cache.clear();
        }
        cache.put(key, tenant);
    }
}
