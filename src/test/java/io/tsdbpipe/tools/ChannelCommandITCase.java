package io.tsdbpipe.tools;

import io.tsdbpipe.channel.Channel;
import io.tsdbpipe.channel.ChannelAdmin;
import io.tsdbpipe.channel.ChannelTokens;
import io.tsdbpipe.testing.TestingKafkaBroker;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** scripts/channel.sh's commands against a real (in-JVM) Kafka broker. */
class ChannelCommandITCase {

    private static final TestingKafkaBroker KAFKA = TestingKafkaBroker.shared();
    private static final Pattern TOKEN = Pattern.compile("access_token: ([0-9a-f]{64})");

    private final String topic = "channel-cmd-" + UUID.randomUUID().toString().substring(0, 8);

    private String run(String... args) {
        return ChannelCommands.run(KAFKA, topic, args);
    }

    private Map<Long, Channel> channels() {
        try (ChannelAdmin admin = ChannelCommands.admin(KAFKA, topic)) {
            return admin.channels();
        }
    }

    private static String token(String output) {
        Matcher m = TOKEN.matcher(output);
        assertThat(m.find()).as(output).isTrue();
        return m.group(1);
    }

    @Test
    void createListRotateUpdateAndDisable() {
        String created = run("create", "--name", "app1", "--metric-prefix", "bk.app1", "--tag", "tenant=app1",
                "--max-items", "100");
        assertThat(created).contains("created: data_id=1500000 name=app1 kind=time_series enabled=true")
                .contains("tag:tenant=app1").contains("shown only once");
        String token = token(created);
        Channel c = channels().get(1500000L);
        assertThat(c.tokenMatches(ChannelTokens.sha256(token))).isTrue();
        assertThat(c.maxItems()).isEqualTo(100);

        String events = run("create", "--name", "app1-events", "--kind", "events", "--metric-prefix", "bk.app1");
        assertThat(events).contains("data_id=1500001").contains("kind=events");

        String list = run("list");
        assertThat(list).contains("data_id=1500000").contains("data_id=1500001").doesNotContain(token)
                .contains("token_sha256=" + ChannelTokens.hex(c.tokenSha256()).substring(0, 12) + "...");

        String rotated = run("update", "--data-id", "1500000", "--rotate-token", "--tag", "env=prod");
        String newToken = token(rotated);
        assertThat(newToken).isNotEqualTo(token);
        Channel after = channels().get(1500000L);
        assertThat(after.tokenMatches(ChannelTokens.sha256(newToken))).isTrue();
        assertThat(after.tokenMatches(ChannelTokens.sha256(token))).isFalse();
        assertThat(after.tags()).containsExactly("env", "prod", "tenant", "app1");
        assertThat(after.version()).isGreaterThan(c.version());

        assertThat(run("disable", "--data-id", "1500000")).contains("enabled=false");
        assertThat(channels().get(1500000L).enabled()).isFalse();
        assertThat(run("update", "--data-id", "1500000", "--enable")).contains("enabled=true");
        assertThat(channels().get(1500000L).tokenMatches(ChannelTokens.sha256(newToken))).isTrue();

        assertThatThrownBy(() -> run("create", "--data-id", "1500000", "--name", "again"))
                .hasMessageContaining("exists");
        assertThatThrownBy(() -> run("disable", "--data-id", "42")).hasMessageContaining("not a channel");
        assertThatThrownBy(() -> run("create", "--name", "x", "--kind", "logs")).hasMessageContaining("--kind");
    }
}
