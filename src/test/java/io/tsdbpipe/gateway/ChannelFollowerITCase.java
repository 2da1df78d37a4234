package io.tsdbpipe.gateway;

import io.tsdbpipe.channel.Channel;
import io.tsdbpipe.channel.ChannelAdmin;
import io.tsdbpipe.channel.ChannelKind;
import io.tsdbpipe.channel.ChannelRecords;
import io.tsdbpipe.channel.ChannelTokens;
import io.tsdbpipe.channel.StaticChannels;
import io.tsdbpipe.chaos.RestartableKafkaBroker;
import io.tsdbpipe.testing.TestingKafkaBroker;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static io.tsdbpipe.gateway.ReportProducerITCase.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The follower on a real broker, fed by what scripts/channel.sh writes with ({@link ChannelAdmin}): it knows every
 * channel of the topic when it says ready (tombstones and disabled channels included), follows a create, a rotation and
 * a disable within seconds, and picks up a topic created after it started.
 */
class ChannelFollowerITCase {

    private static final TestingKafkaBroker KAFKA = TestingKafkaBroker.shared();
    private static final Duration FOLLOW_DEADLINE = Duration.ofSeconds(10);

    private static Properties kafka() {
        Properties p = new Properties();
        p.put("bootstrap.servers", KAFKA.bootstrapServers());
        return p;
    }

    private static ChannelAdmin admin(String topic) {
        return new ChannelAdmin(topic, kafka(), Duration.ofSeconds(30));
    }

    @Test
    void loadsTheTopicThenFollowsIt() throws Exception {
        KAFKA.start();
        String topic = "gateway-channels-" + UUID.randomUUID();
        try (ChannelAdmin admin = admin(topic)) {
            ChannelAdmin.Created a = admin.create(1500001, "a", ChannelKind.TIME_SERIES, "bk.a", null, 0, -1, null);
            ChannelAdmin.Created b = admin.create(1500002, "b", ChannelKind.EVENTS, "bk.b", null, 0, -1, null);
            admin.create(1500003, "c", ChannelKind.TIME_SERIES, "bk.c", null, 0, -1, null);
            admin.setEnabled(1500003, false);
            // many versions of one channel, the newest not last: the highest version counts
            Channel v = a.channel();
            List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
            Channel newestA = null;
            for (int i = 1; i <= 100; i++) {
                Channel c = new Channel(v.dataId(), "a" + i, v.kind(), v.tokenSha256(), v.metricPrefix(), v.tags(),
                        v.maxItems(), v.maxFutureMillis(), null, true, v.version() + (i == 50 ? 1000 : i));
                newestA = i == 50 ? c : newestA;
                records.add(new ProducerRecord<>(topic, ChannelRecords.key(1500001), ChannelRecords.toJson(c)));
            }
            records.add(new ProducerRecord<>(topic, ChannelRecords.key(1500002), null));
            records.add(new ProducerRecord<>(topic, ChannelRecords.key(1500003), "not json".getBytes()));
            KAFKA.produceRecords(records);

            try (ChannelFollower follower = new ChannelFollower(topic, kafka())) {
                follower.start();
                waitFor("ready", FOLLOW_DEADLINE, follower::ready);
                assertThat(follower.channel(1500001)).isEqualTo(newestA);
                assertThat(follower.channel(1500001).tokenMatches(ChannelTokens.sha256(a.token()))).isTrue();
                assertThat(follower.channel(1500002).enabled()).isFalse(); // the tombstone
                assertThat(follower.channel(1500002).tokenMatches(ChannelTokens.sha256(b.token()))).isFalse();
                assertThat(follower.channel(1500003).enabled()).isFalse();
                assertThat(follower.channel(1500004)).isNull();
                assertThat(follower.channelCount()).isEqualTo(3);

                ChannelAdmin.Created d = admin.create(1500004, "d", ChannelKind.TIME_SERIES, "bk.d", null, 0, -1, null);
                waitFor("the new channel", FOLLOW_DEADLINE, () -> d.channel().equals(follower.channel(1500004)));

                ChannelAdmin.Created rotated = admin.rotateToken(1500001);
                waitFor("the rotated token", FOLLOW_DEADLINE,
                        () -> follower.channel(1500001).tokenMatches(ChannelTokens.sha256(rotated.token())));
                assertThat(follower.channel(1500001).tokenMatches(ChannelTokens.sha256(a.token()))).isFalse();

                admin.setEnabled(1500004, false);
                waitFor("the disabled channel", FOLLOW_DEADLINE, () -> !follower.channel(1500004).enabled());
                admin.setEnabled(1500003, true);
                waitFor("the enabled channel", FOLLOW_DEADLINE, () -> follower.channel(1500003).enabled());
            }
        }
    }

    @Test
    void aTopicCreatedLaterIsPickedUp() throws Exception {
        KAFKA.start();
        String topic = "gateway-channels-late-" + UUID.randomUUID();
        try (ChannelFollower follower = new ChannelFollower(topic, kafka());
                ChannelAdmin admin = admin(topic)) {
            follower.start();
            waitFor("ready on a missing topic", FOLLOW_DEADLINE, follower::ready);
            assertThat(follower.channelCount()).isZero();

            ChannelAdmin.Created c = admin.create(1500009, "late", ChannelKind.TIME_SERIES, "bk.late", null, 0, -1,
                    null); // creates the topic
            waitFor("the channel of the new topic", FOLLOW_DEADLINE, () -> c.channel().equals(follower.channel(1500009)));
        }
    }

    @Test
    void keepsTheChannelsThroughABrokerOutageAndFollowsAgainAfter() throws Exception {
        try (RestartableKafkaBroker broker = new RestartableKafkaBroker("gateway-follower")) {
            broker.start();
            Properties p = new Properties();
            p.put("bootstrap.servers", broker.bootstrapServers());
            String topic = "gateway-channels-outage";
            try (ChannelAdmin admin = new ChannelAdmin(topic, p, Duration.ofSeconds(30));
                    ChannelFollower follower = new ChannelFollower(topic, p)) {
                ChannelAdmin.Created a = admin.create(1500001, "a", ChannelKind.TIME_SERIES, "bk.a", null, 0, -1,
                        null);
                follower.start();
                waitFor("ready", FOLLOW_DEADLINE, follower::ready);

                broker.stop();
                broker.start(); // the follower polls on through the outage (the broker's start takes seconds)
                assertThat(follower.channel(1500001)).isEqualTo(a.channel());
                assertThat(follower.ready()).isTrue();
                ChannelAdmin.Created rotated = admin.rotateToken(1500001);
                waitFor("the rotation after the outage", Duration.ofSeconds(30),
                        () -> follower.channel(1500001).tokenMatches(ChannelTokens.sha256(rotated.token())));
            }
        }
    }

    @Test
    void theConfiguredChannelsAreTheFallbackUnderTheTopic() throws Exception {
        KAFKA.start();
        String topic = "gateway-channels-static-" + UUID.randomUUID();
        String token = "0123456789abcdef0123456789abcdef";
        StaticChannels configured = GatewaySettings.of(Map.of(
                "channels.static.1500001.token", token, "channels.static.1500001.metric-prefix", "bk.conf",
                "channels.static.1500002.token", token)).staticChannels();
        try (ChannelAdmin admin = admin(topic)) {
            ChannelAdmin.Created fromTopic =
                    admin.create(1500001, "t", ChannelKind.TIME_SERIES, "bk.topic", null, 0, -1, null);
            try (ChannelFollower follower = new ChannelFollower(topic, kafka(), configured)) {
                assertThat(follower.channel(1500002)).isEqualTo(configured.channel(1500002)); // known at once
                follower.start();
                waitFor("ready", FOLLOW_DEADLINE, follower::ready);
                // the topic's record wins, whatever its version; the configured-only channel stays
                assertThat(follower.channel(1500001)).isEqualTo(fromTopic.channel());
                assertThat(follower.channel(1500001).tokenMatches(ChannelTokens.sha256(token))).isFalse();
                assertThat(follower.channel(1500002).tokenMatches(ChannelTokens.sha256(token))).isTrue();
                assertThat(follower.channelCount()).isEqualTo(2);

                // a topic record for a configured channel (a tombstone: disabled)
                KAFKA.produceRecords(List.of(new ProducerRecord<>(topic, ChannelRecords.key(1500002), null)));
                waitFor("the topic's record over the configured channel", FOLLOW_DEADLINE,
                        () -> !follower.channel(1500002).enabled());
            }
        }
    }

    @Test
    void aFailureDoesNotStopTheFollowerAndADeadFollowerIsNotReady() throws Exception {
        KAFKA.start();
        String topic = "gateway-channels-failing-" + UUID.randomUUID();
        try (ChannelAdmin admin = admin(topic)) {
            admin.create(1500001, "a", ChannelKind.TIME_SERIES, "bk.a", null, 0, -1, null);
            try (ChannelFollower follower = new ChannelFollower(topic, kafka())) {
                follower.start();
                waitFor("ready", FOLLOW_DEADLINE, follower::ready);

                // a bug of the loop (not a KafkaException): logged, a new consumer, following goes on
                AtomicInteger failures = new AtomicInteger();
                follower.onTurn = () -> {
                    if (failures.getAndIncrement() == 0) {
                        throw new IllegalStateException("injected");
                    }
                };
                waitFor("the injected failure", FOLLOW_DEADLINE, () -> failures.get() > 1);
                assertThat(follower.ready()).isTrue();
                ChannelAdmin.Created b = admin.create(1500002, "b", ChannelKind.TIME_SERIES, "bk.b", null, 0, -1, null);
                waitFor("a channel created after the failure", FOLLOW_DEADLINE,
                        () -> b.channel().equals(follower.channel(1500002)));
                assertThat(follower.ready()).isTrue();

                // what ends the thread all the same: not ready any more (/healthz 503)
                follower.onTurn = () -> {
                    throw new OutOfMemoryError("injected");
                };
                waitFor("not ready once the thread is gone", FOLLOW_DEADLINE, () -> !follower.ready());
                assertThat(follower.channel(1500002)).isEqualTo(b.channel()); // what it knew is still answered
            }
        }
    }
}
