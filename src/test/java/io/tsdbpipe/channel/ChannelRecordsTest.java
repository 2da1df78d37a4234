package io.tsdbpipe.channel;

import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChannelRecordsTest {

    private static final String TOKEN = ChannelTokens.generate();

    private static Channel channel(long version) {
        return new Channel(1500001, "app1", ChannelKind.TIME_SERIES, ChannelTokens.sha256(TOKEN), "bk.app1",
                new String[] {"tenant", "app1"}, 1000, 3_600_000L, null, true, version);
    }

    @Test
    void recordsRoundTripWithoutTheTokenAndTheNewestVersionWins() {
        Channel c = channel(7);
        byte[] json = ChannelRecords.toJson(c);
        String text = new String(json, StandardCharsets.UTF_8);
        assertThat(text).doesNotContain(TOKEN).contains("\"token_sha256\":\"" + ChannelTokens.hex(c.tokenSha256()));
        ChannelUpdate u = ChannelRecords.read(ChannelRecords.key(1500001), json, 123L);
        assertThat(u.isValid()).isTrue();
        assertThat(u.channel()).isEqualTo(c);
        assertThat(u.channel().tokenMatches(ChannelTokens.sha256(TOKEN))).isTrue();
        assertThat(u.channel().tokenMatches(ChannelTokens.sha256(TOKEN + "x"))).isFalse();
        assertThat(Channel.newer(channel(7), channel(8)).version()).isEqualTo(8);
        assertThat(Channel.newer(channel(9), channel(8)).version()).isEqualTo(9);
        assertThat(Channel.newer(null, c)).isSameAs(c);
    }

    @Test
    void aTombstoneIsADisabledChannelAtItsRecordTime() {
        ChannelUpdate u = ChannelRecords.read(ChannelRecords.key(1500001), null, 1_700_000_000_000L);
        assertThat(u.isValid()).isTrue();
        assertThat(u.channel().enabled()).isFalse();
        assertThat(u.channel().version()).isEqualTo(1_700_000_000_000L);
        assertThat(u.channel().tokenMatches(ChannelTokens.sha256(""))).isFalse();
    }

    @Test
    void badRecordsAreInvalidUpdatesNeverExceptions() {
        assertThat(ChannelRecords.read("x".getBytes(), "{}".getBytes(), 0).problem()).contains("key");
        assertThat(ChannelRecords.read(ChannelRecords.key(5), "not json".getBytes(), 0).problem()).contains("JSON");
        assertThat(ChannelRecords.read(ChannelRecords.key(5), "{\"data_id\":5,\"kind\":\"logs\"}".getBytes(), 0)
                .problem()).contains("kind");
        assertThat(ChannelRecords.read(ChannelRecords.key(5), "{\"data_id\":5,\"kind\":\"events\"}".getBytes(), 0)
                .problem()).contains("token");
        assertThat(ChannelRecords.read(ChannelRecords.key(6), ChannelRecords.toJson(channel(1)), 0).problem())
                .contains("the key says data_id 6");
        byte[] badPrefix = new String(ChannelRecords.toJson(channel(1)), StandardCharsets.UTF_8)
                .replace("bk.app1", "bk app1").getBytes(StandardCharsets.UTF_8);
        assertThat(ChannelRecords.read(ChannelRecords.key(1500001), badPrefix, 0).problem()).contains("metric prefix");
    }

    @Test
    void theSerializerRoundTripsEveryField() throws Exception {
        Channel c = new Channel(42, "n", ChannelKind.EVENTS, ChannelTokens.sha256(TOKEN), "p", new String[] {"a", "b"},
                3, -1, "p.count", false, -5);
        DataOutputSerializer out = new DataOutputSerializer(64);
        ChannelSerializer.INSTANCE.serialize(c, out);
        Channel back = ChannelSerializer.INSTANCE.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(back).isEqualTo(c);
        assertThat(back.eventsMetric()).isEqualTo("p.count");
        assertThat(back.toString()).doesNotContain(ChannelTokens.hex(c.tokenSha256()));
    }

    @Test
    void channelsOfTheConfigurationAreHashedValidatedAndNamedInErrors() {
        Map<String, String> conf = new HashMap<>();
        conf.put("channels.static.1500001.name", "app1");
        conf.put("channels.static.1500001.token", TOKEN);
        conf.put("channels.static.1500001.metric-prefix", "bk.app1");
        conf.put("channels.static.1500001.tags.tenant", "app1");
        conf.put("channels.static.1500001.max-future", "10 min");
        conf.put("channels.static.1500002.kind", "events");
        conf.put("channels.static.1500002.token-sha256", ChannelTokens.hex(ChannelTokens.sha256(TOKEN)));
        conf.put("channels.static.1500002.events-metric", "app.events");
        StaticChannels channels = StaticChannelConfig.parse(conf, "channels.static.");
        Channel c = channels.channel(1500001);
        assertThat(c.tokenMatches(ChannelTokens.sha256(TOKEN))).isTrue();
        assertThat(c.tags()).containsExactly("tenant", "app1");
        assertThat(c.maxFutureMillis()).isEqualTo(600_000L);
        assertThat(c.version()).isEqualTo(Channel.CONFIG_VERSION);
        assertThat(channels.channel(1500002).eventsMetric()).isEqualTo("app.events");

        Map<String, String> bad = new HashMap<>(conf);
        bad.put("channels.static.1500001.kind", "logs");
        assertThatThrownBy(() -> StaticChannelConfig.parse(bad, "channels.static."))
                .hasMessageContaining("'channels.static.1500001.kind'");
        Map<String, String> noToken = Map.of("channels.static.7.name", "x");
        assertThatThrownBy(() -> StaticChannelConfig.parse(noToken, "channels.static."))
                .hasMessageContaining("'channels.static.7.token'");
        Map<String, String> shortToken = Map.of("channels.static.7.token", "short");
        assertThatThrownBy(() -> StaticChannelConfig.parse(shortToken, "channels.static."))
                .hasMessageContaining("too short").hasMessageNotContaining("short'");
        Map<String, String> unknown = Map.of("channels.static.7.prefix", "x");
        assertThatThrownBy(() -> StaticChannelConfig.parse(unknown, "channels.static."))
                .hasMessageContaining("'channels.static.7.prefix'");
        Map<String, String> notId = Map.of("channels.static.app.token", TOKEN);
        assertThatThrownBy(() -> StaticChannelConfig.parse(notId, "channels.static."))
                .hasMessageContaining("not a data_id");
        Map<String, String> eventsWithoutPrefix = Map.of("channels.static.9.token", TOKEN,
                "channels.static.9.kind", "events");
        assertThatThrownBy(() -> StaticChannelConfig.parse(eventsWithoutPrefix, "channels.static."))
                .hasMessageContaining("channels.static.9").hasMessageContaining("events channel needs");
    }

    @Test
    void generatedTokensAreLongAndDistinct() {
        String a = ChannelTokens.generate();
        assertThat(a).hasSize(64).matches("[0-9a-f]+");
        assertThat(ChannelTokens.generate()).isNotEqualTo(a);
    }

    private static final io.tsdbpipe.channel.ChannelLimits LIMITS = new io.tsdbpipe.channel.ChannelLimits(
            true, 5000, 100, io.tsdbpipe.channel.ChannelLimits.UNSET, false, 2000, 4000,
            io.tsdbpipe.channel.RateLimitPolicy.BACK_PRESSURE, null, 300_000L);

    @Test
    void aChannelsGovernanceValuesRoundTripThroughTheTopicAndTheSerializer() throws Exception {
        Channel c = channel(7).withLimits(LIMITS);
        String text = new String(ChannelRecords.toJson(c), StandardCharsets.UTF_8);
        assertThat(text).contains("\"cardinality\":{\"enabled\":true,\"max_active_series\":5000,"
                + "\"max_new_series_per_hour\":100}", "\"policy\":\"back-pressure\"",
                "\"suppression\":{\"max_interval_seconds\":300}");
        assertThat(new String(ChannelRecords.toJson(channel(7)), StandardCharsets.UTF_8))
                .doesNotContain("cardinality", "rate_limit", "suppression");
        assertThat(ChannelRecords.read(ChannelRecords.key(1500001), text.getBytes(StandardCharsets.UTF_8), 1L)
                .channel()).isEqualTo(c);
        DataOutputSerializer out = new DataOutputSerializer(64);
        ChannelSerializer.INSTANCE.serialize(c, out);
        assertThat(ChannelSerializer.INSTANCE.deserialize(new DataInputDeserializer(out.getCopyOfBuffer())))
                .isEqualTo(c);
        assertThat(ChannelRecords.read(ChannelRecords.key(1500001),
                text.replace("\"burst\":4000", "\"burst\":-4").getBytes(StandardCharsets.UTF_8), 1L).problem())
                .contains("rate_limit.burst");
        // an absurd interval is an invalid record (in milliseconds it would overflow), a year is the most
        assertThat(ChannelRecords.read(ChannelRecords.key(1500001), text.replace("\"max_interval_seconds\":300",
                "\"max_interval_seconds\":9223372036854775807").getBytes(StandardCharsets.UTF_8), 1L).problem())
                .contains("suppression.max_interval_seconds must be 1 to 31536000");
        assertThat(ChannelRecords.read(ChannelRecords.key(1500001), text.replace("\"max_interval_seconds\":300",
                "\"max_interval_seconds\":31536000").getBytes(StandardCharsets.UTF_8), 1L).channel().limits()
                .suppressionMaxIntervalMillis()).isEqualTo(31_536_000_000L);
    }

    @Test
    void aCheckpointedChannelOfFormat1ReadsWithoutGovernanceValues() throws Exception {
        // format 1, as the serializer wrote it before governance: the same fields, no limits at the end
        Channel c = channel(7);
        DataOutputSerializer out = new DataOutputSerializer(64);
        out.writeByte(1);
        out.writeLong(c.dataId());
        org.apache.flink.types.StringValue.writeString(c.name(), out);
        out.writeUTF(c.kind().name());
        out.writeByte(32);
        out.write(c.tokenSha256());
        org.apache.flink.types.StringValue.writeString(c.metricPrefix(), out);
        out.writeShort(2);
        org.apache.flink.types.StringValue.writeString("tenant", out);
        org.apache.flink.types.StringValue.writeString("app1", out);
        out.writeInt(1000);
        out.writeLong(3_600_000L);
        out.writeBoolean(false);
        out.writeBoolean(true);
        out.writeLong(7);
        Channel read = ChannelSerializer.INSTANCE.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(read).isEqualTo(c);
        assertThat(read.limits().isNone()).isTrue();
    }

    @Test
    void aStaticChannelTakesGovernanceValues() {
        Map<String, String> conf = new HashMap<>();
        conf.put("channels.static.1500001.token", TOKEN);
        conf.put("channels.static.1500001.cardinality.max-active-series", "5000");
        conf.put("channels.static.1500001.rate-limit.policy", "back-pressure");
        conf.put("channels.static.1500001.suppression.enabled", "true");
        Channel c = StaticChannelConfig.parse(conf, "channels.static.").channel(1500001);
        assertThat(c.limits().maxActiveSeries()).isEqualTo(5000);
        assertThat(c.limits().ratePolicy()).isEqualTo(io.tsdbpipe.channel.RateLimitPolicy.BACK_PRESSURE);
        assertThat(c.limits().suppression()).isTrue();
        assertThat(c.limits().cardinality()).isNull();
        conf.put("channels.static.1500001.suppression.enabled", "yes");
        assertThatThrownBy(() -> StaticChannelConfig.parse(conf, "channels.static."))
                .hasMessageContaining("'channels.static.1500001.suppression.enabled'");
        conf.put("channels.static.1500001.suppression.enabled", "true");
        conf.put("channels.static.1500001.suppression.max-interval", "1500 ms"); // a record keeps whole seconds
        assertThatThrownBy(() -> StaticChannelConfig.parse(conf, "channels.static."))
                .hasMessageContaining("'channels.static.1500001.suppression.max-interval'")
                .hasMessageContaining("whole seconds");
    }
}
