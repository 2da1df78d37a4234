package io.tsdbpipe.reliability;

import io.tsdbpipe.job.JobConfig;
import io.tsdbpipe.job.PipelineComponents;
import io.tsdbpipe.report.ReportDecoder;
import io.tsdbpipe.testing.TestJobConfig;

import org.apache.flink.configuration.Configuration;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the bad-input tests share: one job configuration with every format (TBDS, OpenTSDB JSON, BlueKing time series
 * and events with channels and tokens, the seed's mapping), its decoder built the way the job builds it, and one valid
 * report of each format, the seeds of every mutation.
 */
final class ReliabilityFixture {

    /** The processing time of the unit tests. */
    static final long NOW = 1_700_000_000_000L;

    /** The Kafka record timestamp of the unit tests' records: what a replay sees again (issue 7, defect 5). */
    static final long KAFKA_TIMESTAMP = NOW - 5_000L;

    static final String TOPIC = "reports";

    /** 64-hex tokens that start with a letter (the shape of defect 6c). */
    static final String SERIES_TOKEN = "c0ffee5e1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5";

    static final String EVENTS_TOKEN = "deadbeef0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d";

    static final List<String> TOKENS = List.of(SERIES_TOKEN, EVENTS_TOKEN);

    static final long SERIES_ID = 1500001L;
    static final long EVENTS_ID = 1500002L;

    static final int MAX_PAYLOAD = 64 * 1024;
    static final int MAX_ITEM_CHARS = 4096;
    static final int MAX_TAGS = 8;
    static final long MAX_FUTURE_MILLIS = 3_600_000L;

    /** The seed's TBDS report (seed 003), with a second item. */
    static final String TBDS = "{\"metrics\":[{\"appid\":\"mking\",\"hostname\":\"tbds-172-16-0-4\","
            + "\"metricname\":\"network\",\"metrics\":{\"1597634942159\":\"406885354231\",\"1597634952159\":17},"
            + "\"tags\":{\"instance_id\":\"lo\",\"type\":\"bytes_sent\"}},"
            + "{\"appid\":\"mking\",\"hostname\":\"tbds-172-16-0-5\",\"metricname\":\"cpu\","
            + "\"metrics\":{\"1597634942\":1.5},\"tags\":{\"core\":\"0\"}}]}";

    static final String OPENTSDB_OBJECT =
            "{\"metric\":\"sys.cpu.user\",\"timestamp\":1597634942,\"value\":42.5,\"tags\":{\"host\":\"web01\",\"cpu\":\"0\"}}";

    static final String OPENTSDB_ARRAY = "[{\"metric\":\"sys.mem.used\",\"timestamp\":1597634942000,\"value\":2048,"
            + "\"tags\":{\"host\":\"web01\"}},{\"metric\":\"sys.mem.free\",\"timestamp\":\"1597634943\",\"value\":\"-7\","
            + "\"tags\":{\"host\":\"web01\",\"dc\":\"gz\"}}]";

    /** docs/report-protocols.md section 4 (the seed's BlueKing v2 push protocol), with the series channel's token. */
    static final String BK_SERIES = "{\"data_id\":1500001,\"access_token\":\"" + SERIES_TOKEN + "\",\"data\":["
            + "{\"metrics\":{\"cpu_load\":10,\"mem_used\":2048.5},\"target\":\"127.0.0.1\","
            + "\"dimension\":{\"module\":\"db\",\"location\":\"guangdong\"},\"timestamp\":1612509542000},"
            + "{\"metrics\":{\"disk_used\":7},\"target\":\"10.0.0.2\",\"timestamp\":1612509543000}]}";

    /** docs/report-protocols.md section 5, with the events channel's token. */
    static final String BK_EVENTS = "{\"data_id\":1500002,\"access_token\":\"" + EVENTS_TOKEN + "\",\"data\":["
            + "{\"event_name\":\"login_failed\",\"event\":{\"content\":\"user xxx login failed\"},"
            + "\"target\":\"127.0.0.1\",\"dimension\":{\"module\":\"db\",\"event_type\":\"abnormal\"},"
            + "\"timestamp\":1612509542000}]}";

    /** The seed's interceptor record, read by the mapping "seed". */
    static final String MAPPED = "{\"appIds\":\"mking\",\"ip\":\"127.0.0.1\",\"timestamp\":1597634942159,"
            + "\"value\":406885354231,\"instance_id\":\"lo\",\"type\":\"bytes_sent\"}";

    /** Every valid report: the seeds of the mutations. */
    static final List<String> VALID = List.of(TBDS, OPENTSDB_OBJECT, OPENTSDB_ARRAY, BK_SERIES, BK_EVENTS, MAPPED);

    private ReliabilityFixture() {}

    /** The job configuration of every bad-input test (no channel topic: the channels are the configuration's). */
    static Map<String, String> config() {
        Map<String, String> conf = new TreeMap<>();
        conf.put("formats.enabled", "tbds;opentsdb;blueking");
        TestJobConfig.seedMapping(conf);
        conf.put("channels.topic", "");
        conf.put("channels.static.1500001.name", "app1");
        conf.put("channels.static.1500001.token", SERIES_TOKEN);
        conf.put("channels.static.1500001.kind", "time_series");
        conf.put("channels.static.1500001.metric-prefix", "bk.app1");
        conf.put("channels.static.1500001.tags.tenant", "app1");
        conf.put("channels.static.1500001.max-items", "50");
        TestJobConfig.eventsChannel(conf, EVENTS_ID, "app1-events", EVENTS_TOKEN, "bk.ev");
        conf.put("validation.max-payload-size", (MAX_PAYLOAD / 1024) + " kb");
        conf.put("validation.max-tags", Integer.toString(MAX_TAGS));
        conf.put("validation.max-future", "1 h");
        conf.put("dead-letter.max-item-chars", Integer.toString(MAX_ITEM_CHARS));
        conf.put("sink.opentsdb.endpoints", "http://127.0.0.1:1");
        return conf;
    }

    static Configuration configuration(Map<String, String> values) {
        return JobConfig.of(values).configuration();
    }

    /** The decoder exactly as the job builds it from {@link #config()}. */
    static ReportDecoder decoder() {
        return PipelineComponents.decoder(configuration(config()));
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
