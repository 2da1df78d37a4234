package io.tsdbpipe.tools;

import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

class ChannelCommandTest {

    @Test
    void describeReadsTheMetadataTopicWithTheMetadataSinksClientSettings() {
        Configuration conf = Configuration.fromMap(Map.of(
                "source.bootstrap-servers", "reports:9092",
                "source.properties.security.protocol", "SASL_SSL",
                "metadata.bootstrap-servers", "meta:9092",
                "metadata.properties.security.protocol", "SSL"));
        Properties props = ChannelCommand.metadataClient(conf, null);
        assertThat(props.getProperty("bootstrap.servers")).isEqualTo("meta:9092");
        assertThat(props.getProperty("security.protocol")).isEqualTo("SSL");

        Configuration sourceOnly = Configuration.fromMap(Map.of(
                "source.bootstrap-servers", "reports:9092", "source.properties.security.protocol", "SASL_SSL"));
        Properties fallback = ChannelCommand.metadataClient(sourceOnly, null);
        assertThat(fallback.getProperty("bootstrap.servers")).isEqualTo("reports:9092");
        assertThat(fallback).doesNotContainKey("security.protocol"); // as the job's metadata sink
        assertThat(ChannelCommand.metadataClient(conf, "other:9092").getProperty("bootstrap.servers"))
                .isEqualTo("other:9092");
    }
}
