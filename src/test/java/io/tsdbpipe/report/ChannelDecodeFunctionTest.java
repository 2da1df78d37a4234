package io.tsdbpipe.report;

import io.tsdbpipe.channel.Channel;
import io.tsdbpipe.channel.ChannelKind;
import io.tsdbpipe.channel.ChannelTokens;
import io.tsdbpipe.channel.ChannelUpdate;
import io.tsdbpipe.channel.StaticChannels;
import io.tsdbpipe.deadletter.Reject;
import io.tsdbpipe.point.DataPoint;
import io.tsdbpipe.deadletter.Origin;
import io.tsdbpipe.point.PointRules;

import org.apache.flink.streaming.api.operators.co.CoBroadcastWithNonKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.BroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The decode stage's channel registry in broadcast state, with Flink's broadcast operator harness. */
class ChannelDecodeFunctionTest {

    private static final String OLD = "old-token-0123456789abcdef";
    private static final String NEW = "new-token-0123456789abcdef";

    private static Channel channel(String token, boolean enabled, long version) {
        return new Channel(7, "c", ChannelKind.TIME_SERIES, ChannelTokens.sha256(token), "p", new String[0], 0, -1,
                null, enabled, version);
    }

    private static BroadcastOperatorTestHarness<RawRecord, ChannelUpdate, DataPoint> harness(
            StaticChannels configured) throws Exception {
        ReportDecoder decoder = new ReportDecoder(List.of(new BlueKingReportFormat(3_600_000L)),
                ReportMappings.NONE, configured, PointRules.defaults(), 1 << 20, 4096);
        return ProcessFunctionTestHarnesses.forBroadcastProcessFunction(
                new ChannelDecodeFunction(decoder, null), ChannelDecodeFunction.CHANNELS);
    }

    private static void report(BroadcastOperatorTestHarness<RawRecord, ChannelUpdate, DataPoint> h, String token,
            long offset) throws Exception {
        String json = "{\"data_id\":7,\"access_token\":\"" + token + "\",\"data\":[{\"metrics\":{\"m\":1},"
                + "\"target\":\"t\"}]}";
        h.setProcessingTime(1_700_000_000_000L);
        h.processElement(new RawRecord(json.getBytes(StandardCharsets.UTF_8), new Origin("r", 0, offset),
                1_700_000_000_000L), 0L); // the Kafka timestamp: the time of items without one
    }

    private static List<String> rejectReasons(BroadcastOperatorTestHarness<RawRecord, ChannelUpdate, DataPoint> h) {
        List<String> reasons = new ArrayList<>();
        if (h.getSideOutput(ReportDecodeFunction.REJECTS) != null) {
            for (StreamRecord<Reject> r : h.getSideOutput(ReportDecodeFunction.REJECTS)) {
                reasons.add(r.getValue().reason().code());
            }
        }
        return reasons;
    }

    @Test
    void theNewestRecordWinsOlderOnesAreIgnoredAndATopicRecordBeatsTheConfiguration() throws Exception {
        try (BroadcastOperatorTestHarness<RawRecord, ChannelUpdate, DataPoint> h =
                harness(new StaticChannels(Map.of(7L, channel(OLD, true, Channel.CONFIG_VERSION))))) {
            report(h, OLD, 0);
            assertThat(h.extractOutputValues()).hasSize(1);

            h.processBroadcastElement(ChannelUpdate.of(channel(NEW, true, 10)), 0L);
            h.processBroadcastElement(ChannelUpdate.of(channel(OLD, true, 5)), 0L); // replayed, older
            report(h, OLD, 1);
            report(h, NEW, 2);
            assertThat(h.extractOutputValues()).hasSize(2);
            assertThat(rejectReasons(h)).containsExactly("auth_failed");

            h.processBroadcastElement(ChannelUpdate.of(Channel.deleted(7, 11)), 0L); // a tombstone
            report(h, NEW, 3);
            h.processBroadcastElement(ChannelUpdate.invalid(7, "not valid JSON"), 0L);
            report(h, NEW, 4);
            assertThat(rejectReasons(h)).containsExactly("auth_failed", "unknown_channel", "unknown_channel");
            assertThat(h.extractOutputValues()).hasSize(2);
        }
    }

    @Test
    void theRegistryIsInTheSnapshotAndComesBackWithoutTheTopic() throws Exception {
        org.apache.flink.runtime.checkpoint.OperatorSubtaskState snapshot;
        try (BroadcastOperatorTestHarness<RawRecord, ChannelUpdate, DataPoint> h = harness(StaticChannels.EMPTY)) {
            h.processBroadcastElement(ChannelUpdate.of(channel(NEW, true, 3)), 0L);
            snapshot = h.snapshot(1L, 1L);
        }
        try (BroadcastOperatorTestHarness<RawRecord, ChannelUpdate, DataPoint> h = harnessUnopened()) {
            h.initializeState(snapshot);
            h.open();
            report(h, NEW, 0);
            assertThat(h.extractOutputValues()).hasSize(1);
        }
    }

    private static BroadcastOperatorTestHarness<RawRecord, ChannelUpdate, DataPoint> harnessUnopened()
            throws Exception {
        ReportDecoder decoder = new ReportDecoder(List.of(new BlueKingReportFormat(3_600_000L)),
                ReportMappings.NONE, StaticChannels.EMPTY, PointRules.defaults(), 1 << 20, 4096);
        return new BroadcastOperatorTestHarness<>(
                new CoBroadcastWithNonKeyedOperator<>(new ChannelDecodeFunction(decoder, null),
                        List.of(ChannelDecodeFunction.CHANNELS)), 1, 1, 0);
    }
}
