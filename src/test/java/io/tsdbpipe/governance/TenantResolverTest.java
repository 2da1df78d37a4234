package io.tsdbpipe.governance;

import io.tsdbpipe.channel.RateLimitPolicy;
import io.tsdbpipe.channel.ChannelLimits;
import io.tsdbpipe.point.DataPoint;
import io.tsdbpipe.deadletter.Origin;

import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TenantResolverTest {

    private static DataPoint point(String metric, Origin origin) {
        return DataPoint.ofLong(metric, 1, 1, new String[] {"host", "a"}, origin);
    }

    private static final Origin BLUEKING = new Origin("bk-reports", 0, 1, 1500001);
    private static final Origin TBDS = new Origin("reports", 0, 1);

    @Test
    void byDataIdABlueKingPointIsItsChannelAndAnyOtherPointItsTopic() {
        TenantResolver r = TenantResolver.of(new Configuration());
        assertThat(r.by()).isEqualTo(TenantBy.DATA_ID);
        assertThat(r.tenantOf(point("bk.app.cpu", BLUEKING))).isEqualTo("1500001");
        assertThat(r.tenantOf(point("mking.network", TBDS))).isEqualTo("topic:reports");
        assertThat(TenantResolver.dataIdOf("1500001")).isEqualTo(1500001L);
        assertThat(TenantResolver.dataIdOf("topic:reports")).isEqualTo(-1L);
    }

    @Test
    void byTopicOrByMetricPrefix() {
        TenantResolver topic = TenantResolver.of(Configuration.fromMap(Map.of("tenant.by", "topic")));
        assertThat(topic.tenantOf(point("bk.app.cpu", BLUEKING))).isEqualTo("topic:bk-reports");
        TenantResolver prefix = TenantResolver.of(Configuration.fromMap(Map.of("tenant.by", "metric-prefix")));
        assertThat(prefix.tenantOf(point("app.cpu.load", TBDS))).isEqualTo("prefix:app");
        assertThat(prefix.tenantOf(point("single", TBDS))).isEqualTo("prefix:single");
        TenantResolver two = TenantResolver.of(Configuration.fromMap(Map.of("tenant.by", "metric-prefix",
                "tenant.metric-prefix-segments", "2")));
        assertThat(two.tenantOf(point("bk.app.cpu", BLUEKING))).isEqualTo("prefix:bk.app");
        assertThat(two.tenantOf(point("bk", BLUEKING))).isEqualTo("prefix:bk");
        assertThatThrownBy(() -> new TenantResolver(TenantBy.METRIC_PREFIX, 0))
                .hasMessageContaining("tenant.metric-prefix-segments");
    }

    @Test
    void defaultsUnderAChannelsOwnValues() {
        GovernanceSettings settings = GovernanceSettings.of(Configuration.fromMap(Map.of(
                "cardinality.max-active-series", "500", "rate-limit.enabled", "true", "rate-limit.policy",
                "back-pressure")), io.tsdbpipe.channel.StaticChannels.EMPTY);
        ChannelLimits own = ChannelLimits.parse(Map.of("cardinality.enabled", "true", "rate-limit.enabled", "false",
                "suppression.max-interval", "5 min"), "", text -> java.time.Duration.ofMinutes(5).toMillis());
        ChannelLimits effective = settings.defaults().overriddenBy(own);
        assertThat(effective.cardinality()).isTrue();
        assertThat(effective.maxActiveSeries()).isEqualTo(500);
        assertThat(effective.rateLimit()).isFalse();
        assertThat(effective.ratePolicy()).isEqualTo(RateLimitPolicy.BACK_PRESSURE);
        assertThat(effective.suppression()).isFalse();
        assertThat(effective.suppressionMaxIntervalMillis()).isEqualTo(300_000L);
        assertThatThrownBy(() -> ChannelLimits.parse(Map.of("rate-limit.burst", "-1"), "channels.static.1.", t -> 0))
                .hasMessageContaining("'channels.static.1.rate-limit.burst'");
        assertThatThrownBy(() -> ChannelLimits.parse(Map.of("rate-limit.policy", "drop"), "", t -> 0))
                .hasMessageContaining("dead-letter or back-pressure");
    }

    @Test
    void aLimitIsSplitOverTheSubtasksRoundedUp() {
        assertThat(TenantState.share(10, 3)).isEqualTo(4);
        assertThat(TenantState.share(10, 1)).isEqualTo(10);
        assertThat(TenantState.share(1, 4)).isEqualTo(1);
        assertThat(TenantState.share(0, 4)).isZero();
    }
}
