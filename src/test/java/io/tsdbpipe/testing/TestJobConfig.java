package io.tsdbpipe.testing;

import java.util.Map;

/** Blocks of job configuration that several tests write the same way. */
public final class TestJobConfig {

    private TestJobConfig() {}

    /** The seed's JsonFrame interceptor configuration, as the mapping "seed". */
    public static void seedMapping(Map<String, String> conf) {
        conf.put("mappings.seed.appid", "appIds");
        conf.put("mappings.seed.metricname", "network");
        conf.put("mappings.seed.hostname", "ip");
        conf.put("mappings.seed.items", "timestamp=value");
        conf.put("mappings.seed.tags", "instance_id=instance_id,type=type");
    }

    /** A static BlueKing events channel. */
    public static void eventsChannel(Map<String, String> conf, long dataId, String name, String token,
            String metricPrefix) {
        String key = "channels.static." + dataId + ".";
        conf.put(key + "name", name);
        conf.put(key + "kind", "events");
        conf.put(key + "token", token);
        conf.put(key + "metric-prefix", metricPrefix);
    }
}
