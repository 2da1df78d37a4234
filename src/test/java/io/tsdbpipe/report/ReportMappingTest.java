package io.tsdbpipe.report;

import io.tsdbpipe.deadletter.Reject;
import io.tsdbpipe.point.DataPoint;
import io.tsdbpipe.deadletter.Origin;
import io.tsdbpipe.point.PointRules;
import io.tsdbpipe.deadletter.RejectReason;
import io.tsdbpipe.channel.StaticChannels;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The configurable mapping: the seed's JsonFrame interceptor (seed 003, docs/report-protocols.md section 3), done properly. */
class ReportMappingTest {

    private static final long NOW = 1_700_000_000_000L;

    /** The seed's own interceptor configuration, written as a mapping. */
    static Map<String, String> seedMapping(String name) {
        Map<String, String> m = new HashMap<>();
        m.put("mappings." + name + ".appid", "appIds");
        m.put("mappings." + name + ".metricname", "network");
        m.put("mappings." + name + ".hostname", "ip");
        m.put("mappings." + name + ".items", "timestamp=value");
        m.put("mappings." + name + ".tags", "instance_id=instance_id,type=type");
        return m;
    }

    private final CollectingOutput out = CollectingOutput.withoutEvents();
    private final List<DataPoint> points = out.points;
    private final List<Reject> rejects = out.rejects;
    private ReportDecoder decoder;

    private void configure(Map<String, String> conf, List<String> order) {
        ReportMappings mappings = ReportMappings.parse(conf, "mappings.", order, "mappings.order");
        decoder = new ReportDecoder(List.of(new TbdsReportFormat(".", null), new OpenTsdbJsonFormat()), mappings,
                StaticChannels.EMPTY, PointRules.defaults(), 1 << 20, 4096);
    }

    private void decode(String topic, String json) {
        out.clear();
        decoder.decode(new RawRecord(json.getBytes(StandardCharsets.UTF_8), new Origin(topic, 0, 5L), 0L), NOW,
                out);
    }

    @Test
    void theSeedsInterceptorConfigurationWorksAsTheSeedDescribes() {
        configure(seedMapping("seed"), null);
        decode("reports", "{\"appIds\":\"mking\",\"ip\":\"127.0.0.1\",\"timestamp\":1597634942159,"
                + "\"value\":406885354231,\"instance_id\":\"lo\",\"type\":\"bytes_sent\"}");
        assertThat(rejects).isEmpty();
        assertThat(out.texts()).containsExactly(
                "mking.network{hostname=127.0.0.1,instance_id=lo,type=bytes_sent} 1597634942159 406885354231");
    }

    @Test
    void aNumberNoDecimalHoldsRefusesTheReportInsteadOfFailingTheJob() {
        // found by ReportMutationFuzzTest: Jackson's BigDecimal reader threw NumberFormatException out of the decoder
        configure(seedMapping("seed"), null);
        decode("reports", "{\"appIds\":\"mking\",\"ip\":\"127.0.0.1\",\"timestamp\":15E7634942159,"
                + "\"value\":406885354231,\"instance_id\":\"lo\",\"type\":\"bytes_sent\"}");
        assertThat(points).isEmpty();
        assertThat(out.reasons()).containsExactly(RejectReason.MALFORMED_JSON);
        assertThat(rejects.get(0).message()).contains("a number out of any range").doesNotContain("15E");
    }

    @Test
    void anAbsentAppidOrMetricnameKeyIsTakenLiterallyAsTheSeedSays() {
        configure(seedMapping("seed"), null);
        decode("reports", "{\"ip\":\"10.0.0.7\",\"timestamp\":\"1597634942\",\"value\":\"1.5\"}");
        assertThat(rejects).isEmpty();
        assertThat(out.texts()).containsExactly("appIds.network{hostname=10.0.0.7} 1597634942 1.5");

        decode("reports", "{\"appIds\":\"mking\",\"network\":\"eth0_rx\",\"ip\":\"h\",\"timestamp\":1597634942,"
                + "\"value\":3}");
        assertThat(out.texts()).containsExactly("mking.eth0_rx{hostname=h} 1597634942 3");
    }

    @Test
    void aMissingHostnameRejectsTheRecordAndTheHostnameRuleApplies() {
        Map<String, String> conf = seedMapping("seed");
        conf.put("mappings.seed.hostname-pattern", "[0-9]+(\\.[0-9]+){3}");
        configure(conf, null);
        decode("reports", "{\"appIds\":\"mking\",\"timestamp\":1597634942,\"value\":1}");
        assertThat(out.reasons()).containsExactly(RejectReason.MISSING_FIELD);
        assertThat(rejects.get(0).message()).contains("hostname (ip) is missing").contains("mapping seed");
        decode("reports", "{\"appIds\":\"mking\",\"ip\":\"web-01\",\"timestamp\":1597634942,\"value\":1}");
        assertThat(out.reasons()).containsExactly(RejectReason.INVALID_TAG);
        assertThat(rejects.get(0).message()).contains("hostname rule");
    }

    @Test
    void multiLevelKeysReadNestedObjectsAsInTheSeedsDemo() {
        Map<String, String> conf = new HashMap<>();
        conf.put("mappings.demo.appid", "app.id");
        conf.put("mappings.demo.metricname", "key1.name");
        conf.put("mappings.demo.hostname", "ip");
        conf.put("mappings.demo.items", "time=key1.key2");
        conf.put("mappings.demo.tags", "dc=meta.location.dc, rack=meta.rack.0");
        configure(conf, null);
        // the seed's demo record {"key1":{"key2":123},"ip":"127.0.0.1"}, plus what a datapoint also needs
        decode("reports", "{\"key1\":{\"key2\":123,\"name\":\"demo\"},\"ip\":\"127.0.0.1\",\"time\":1597634942,"
                + "\"app\":{\"id\":\"seed\"},\"meta\":{\"location\":{\"dc\":\"gz\"},\"rack\":[\"r1\",\"r2\"]}}");
        assertThat(rejects).isEmpty();
        assertThat(out.texts()).containsExactly("seed.demo{dc=gz,hostname=127.0.0.1,rack=r1} 1597634942 123");
    }

    @Test
    void itemsMayBeATimestampValueObjectAndRecordsAnArrayAtARoot() {
        Map<String, String> conf = new HashMap<>();
        conf.put("mappings.batch.root", "records");
        conf.put("mappings.batch.appid", "app");
        conf.put("mappings.batch.metricname", "m");
        conf.put("mappings.batch.hostname", "host");
        conf.put("mappings.batch.items", "values");
        configure(conf, null);
        decode("reports", "{\"records\":[{\"app\":\"a\",\"m\":\"x\",\"host\":\"h1\",\"values\":{\"1597634942\":1,"
                + "\"1597634952\":\"2.5\",\"bad\":3}},{\"app\":\"a\",\"m\":\"x\",\"values\":{\"1597634942\":9}}]}");
        assertThat(out.texts()).containsExactlyInAnyOrder("a.x{hostname=h1} 1597634942 1", "a.x{hostname=h1} 1597634952 2.5");
        assertThat(out.reasons()).containsExactlyInAnyOrder(RejectReason.INVALID_TIMESTAMP, RejectReason.MISSING_FIELD);
        assertThat(rejects).filteredOn(r -> r.reason() == RejectReason.MISSING_FIELD)
                .allSatisfy(r -> assertThat(r.item()).contains("\"1597634942\":9").doesNotContain("h1"));
    }

    @Test
    void eachItemIsJudgedOnItsOwnAndAbsentTagsAreLeftOut() {
        Map<String, String> conf = seedMapping("seed");
        conf.put("mappings.seed.items", "ts=cpu, ts=mem");
        conf.put("mappings.seed.tags", "instance_id=instance_id,type=type,zone");
        configure(conf, null);
        decode("reports", "{\"appIds\":\"m\",\"ip\":\"h\",\"ts\":1597634942,\"cpu\":\"NaN\",\"mem\":7,\"zone\":\"z1\"}");
        assertThat(out.texts()).containsExactly("m.network{hostname=h,zone=z1} 1597634942 7");
        assertThat(out.reasons()).containsExactly(RejectReason.INVALID_VALUE);
    }

    @Test
    void aTopicBoundMappingTakesEveryRecordOfItsTopicWithoutShapeDetection() {
        Map<String, String> conf = seedMapping("frames");
        conf.put("mappings.frames.topics", "tbds-frames");
        conf.put("mappings.frames.items", "metrics.ts=metrics.v");
        configure(conf, null);
        // "metrics" would make it a TBDS report on another topic
        String record = "{\"appIds\":\"m\",\"ip\":\"h\",\"metrics\":{\"ts\":1597634942,\"v\":4}}";
        decode("tbds-frames", record);
        assertThat(out.texts()).containsExactly("m.network{hostname=h} 1597634942 4");
        decode("reports", record);
        assertThat(out.reasons()).containsExactly(RejectReason.MISSING_FIELD); // read as TBDS: metrics is not an array
        decode("tbds-frames", "{\"appIds\":\"m\"");
        assertThat(out.reasons()).containsExactly(RejectReason.MALFORMED_JSON);
    }

    @Test
    void unclaimedRecordsTryTheMappingsInOrderAndTheFirstWhoseMatchPathsArePresentWins() {
        Map<String, String> conf = seedMapping("seed");
        conf.putAll(seedMapping("other"));
        conf.put("mappings.other.appid", "'other'");
        conf.put("mappings.other.match", "value;marker");
        configure(conf, List.of("other", "seed"));
        decode("reports", "{\"appIds\":\"m\",\"ip\":\"h\",\"timestamp\":1597634942,\"value\":1}");
        assertThat(out.texts()).containsExactly("m.network{hostname=h} 1597634942 1");
        decode("reports", "{\"marker\":true,\"appIds\":\"m\",\"ip\":\"h\",\"timestamp\":1597634942,\"value\":1}");
        assertThat(out.reasons()).containsExactly(RejectReason.INVALID_METRIC); // 'other'.network: the literal has quotes
        decode("reports", "{\"hello\":\"world\"}");
        assertThat(out.reasons()).containsExactly(RejectReason.UNKNOWN_FORMAT);
        assertThat(rejects.get(0).message()).contains("no mapping [other, seed] matches");
    }

    @Test
    void badMappingConfigurationsFailNamingTheKey() {
        Map<String, String> conf = seedMapping("seed");
        conf.remove("mappings.seed.hostname");
        assertThatThrownBy(() -> configure(conf, null)).hasMessageContaining("'mappings.seed.hostname' is required");
        Map<String, String> bad = seedMapping("seed");
        bad.put("mappings.seed.items", "timestamp=");
        assertThatThrownBy(() -> configure(bad, null)).hasMessageContaining("'mappings.seed.items'");
        Map<String, String> unknown = seedMapping("seed");
        unknown.put("mappings.seed.itemz", "x");
        assertThatThrownBy(() -> configure(unknown, null)).hasMessageContaining("'mappings.seed.itemz'");
        Map<String, String> regex = seedMapping("seed");
        regex.put("mappings.seed.hostname-pattern", "[");
        assertThatThrownBy(() -> configure(regex, null)).hasMessageContaining("'mappings.seed.hostname-pattern'");
        assertThatThrownBy(() -> configure(seedMapping("seed"), List.of("nope")))
                .hasMessageContaining("'mappings.order'").hasMessageContaining("nope");
        Map<String, String> twice = seedMapping("a");
        twice.putAll(seedMapping("b"));
        twice.put("mappings.a.topics", "t");
        twice.put("mappings.b.topics", "t");
        assertThatThrownBy(() -> configure(twice, null)).hasMessageContaining("Topic 't' is bound to mappings a and b");
    }

    @Test
    void aValueThatUnderflowsIsInvalidAndARepeatedKeyRefusesTheRecord() {
        configure(seedMapping("seed"), null);
        decode("reports", "{\"appIds\":\"mking\",\"ip\":\"h\",\"timestamp\":1597634942,\"value\":1e-400}");
        assertThat(points).isEmpty();
        assertThat(out.reasons()).containsExactly(RejectReason.INVALID_VALUE);
        decode("reports", "{\"appIds\":\"mking\",\"ip\":\"h\",\"timestamp\":1597634942,\"value\":1,\"value\":2}");
        assertThat(points).isEmpty();
        assertThat(out.reasons()).containsExactly(RejectReason.DUPLICATE_KEY);
    }

    @Test
    void aMappingCannotReadAnAccessToken() {
        Map<String, String> conf = seedMapping("seed");
        conf.put("mappings.seed.tags", "tok=auth.access_token");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> configure(conf, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mappings.seed.tags").hasMessageContaining("secret");
    }
}
