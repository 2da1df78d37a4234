package io.tsdbpipe.report;

import io.tsdbpipe.channel.ChannelLookup;
import io.tsdbpipe.channel.StaticChannels;
import io.tsdbpipe.deadletter.Reject;
import io.tsdbpipe.event.Event;
import io.tsdbpipe.point.DataPoint;
import io.tsdbpipe.point.PointRules;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.tsdbpipe.report.BlueKingReportFormatTest.KAFKA_TS;
import static io.tsdbpipe.report.BlueKingReportFormatTest.NOW;
import static io.tsdbpipe.report.BlueKingReportFormatTest.ORIGIN;
import static io.tsdbpipe.report.BlueKingReportFormatTest.SERIES;
import static io.tsdbpipe.report.BlueKingReportFormatTest.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Adversarial review of issue 7's token rules. Redaction treats the value of every key whose name holds "token" as a
 * secret ("under a misspelt key the job cannot check the token, but it must not leak"), and masks it in the dead
 * letter's item; but an entry reject's message copies the value's text ("value must be a JSON number, was \"...\""),
 * and messages are not masked. A producer that puts its token under a misspelt key inside {@code metrics} gets it
 * into the dead-letter topic in clear.
 */
class SecretInMessageTest {

    private static final String SECRET = "c0ffee0123456789abcdef0123456789abcdef0123456789abcdef0123456789";

    @ParameterizedTest
    @ValueSource(strings = {"accessToken", "acces_token", "token", "bk_token"})
    void aTokenUnderAMisspeltMetricKeyIsNotInAnyDeadLetter(String key) {
        String report = "{\"data_id\":1500001,\"access_token\":\"" + TOKEN + "\",\"data\":["
                + "{\"metrics\":{\"cpu_load\":10,\"" + key + "\":\"" + SECRET + "\"},\"target\":\"127.0.0.1\","
                + "\"timestamp\":1612509542000}]}";
        List<Reject> rejects = new ArrayList<>();
        List<DataPoint> points = new ArrayList<>();
        ChannelLookup channels = new StaticChannels(Map.of(SERIES.dataId(), SERIES));
        ReportDecoder decoder = new ReportDecoder(List.of(new BlueKingReportFormat(3_600_000L)),
                PointRules.defaults(), 1 << 20, 4096);
        decoder.decode(new RawRecord(report.getBytes(StandardCharsets.UTF_8), ORIGIN, KAFKA_TS), NOW, channels,
                new DecodeOutput() {
                    @Override
                    public void point(DataPoint p) {
                        points.add(p);
                    }

                    @Override
                    public void event(Event e) {}

                    @Override
                    public void reject(Reject r) {
                        rejects.add(r);
                    }
                });
        assertThat(points).hasSize(1);
        assertThat(rejects).hasSize(1);
        for (Reject r : rejects) {
            assertThat(r.item()).as("item").doesNotContain(SECRET);
            assertThat(r.message()).as("message").doesNotContain(SECRET);
        }
    }
}
