package io.tsdbpipe.tools;

import io.tsdbpipe.channel.ChannelAdmin;
import io.tsdbpipe.testing.TestingKafkaBroker;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** What the channel command ITCases share: scripts/channel.sh's command on a topic of the in-JVM broker. */
final class ChannelCommands {

    private ChannelCommands() {}

    /** Runs the command with {@code --bootstrap-servers} and {@code --topic} before {@code args}; its output. */
    static String run(TestingKafkaBroker kafka, String topic, String... args) {
        String[] all = new String[args.length + 4];
        all[0] = "--bootstrap-servers";
        all[1] = kafka.bootstrapServers();
        all[2] = "--topic";
        all[3] = topic;
        System.arraycopy(args, 0, all, 4, args.length);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        assertThat(ChannelCommand.run(all, new PrintStream(bytes, true, StandardCharsets.UTF_8))).isZero();
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** The registry on {@code topic}, to read back what the command wrote. */
    static ChannelAdmin admin(TestingKafkaBroker kafka, String topic) {
        return new ChannelAdmin(topic, kafka.clientProperties(), Duration.ofSeconds(30));
    }
}
