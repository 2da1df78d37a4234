package io.tsdbpipe.tools;

import io.tsdbpipe.channel.Channel;
import io.tsdbpipe.channel.ChannelAdmin;
import io.tsdbpipe.channel.ChannelLimits;
import io.tsdbpipe.channel.RateLimitPolicy;
import io.tsdbpipe.testing.TestingKafkaBroker;

import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** scripts/channel.sh's governance flags (create and update) against a real (in-JVM) Kafka broker. */
class ChannelGovernanceFlagsITCase {

    private static final TestingKafkaBroker KAFKA = TestingKafkaBroker.shared();

    private final String topic = "channel-gov-" + UUID.randomUUID().toString().substring(0, 8);

    private String run(String... args) {
        return ChannelCommands.run(KAFKA, topic, args);
    }

    private ChannelLimits limits(long dataId) {
        try (ChannelAdmin admin = ChannelCommands.admin(KAFKA, topic)) {
            return admin.channel(dataId).map(Channel::limits).orElseThrow();
        }
    }

    @Test
    void flagsSetChangeAndResetAChannelsOwnLimits() {
        String created = run("create", "--name", "app1", "--cardinality", "on", "--max-active-series", "5000",
                "--rate-limit", "on", "--datapoints-per-second", "2000", "--rate-limit-policy", "back-pressure");
        assertThat(created).contains("cardinality.enabled=true", "cardinality.max-active-series=5000",
                "rate-limit.policy=back-pressure");
        ChannelLimits l = limits(1500000L);
        assertThat(l.cardinality()).isTrue();
        assertThat(l.maxActiveSeries()).isEqualTo(5000);
        assertThat(l.datapointsPerSecond()).isEqualTo(2000);
        assertThat(l.ratePolicy()).isEqualTo(RateLimitPolicy.BACK_PRESSURE);
        assertThat(l.suppression()).isNull();

        run("update", "--data-id", "1500000", "--max-active-series", "9000", "--rate-limit-policy", "default",
                "--suppression", "on", "--suppression-max-interval", "5 min");
        l = limits(1500000L);
        assertThat(l.maxActiveSeries()).isEqualTo(9000);
        assertThat(l.cardinality()).isTrue(); // kept
        assertThat(l.ratePolicy()).isNull(); // the configuration's again
        assertThat(l.suppression()).isTrue();
        assertThat(l.suppressionMaxIntervalMillis()).isEqualTo(300_000L);

        run("update", "--data-id", "1500000", "--rotate-token");
        assertThat(limits(1500000L)).as("a token rotation keeps the limits").isEqualTo(l);
        run("disable", "--data-id", "1500000");
        assertThat(limits(1500000L)).as("so does a disable").isEqualTo(l);

        assertThatThrownBy(() -> run("update", "--data-id", "1500000", "--burst", "-5"))
                .hasMessageContaining("--burst");
        assertThatThrownBy(() -> run("update", "--data-id", "1500000", "--rate-limit-policy", "drop"))
                .hasMessageContaining("--rate-limit-policy");
    }
}
