package io.tsdbpipe.tools;

import io.tsdbpipe.job.JobConfig;
import io.tsdbpipe.job.PipelineComponents;
import io.tsdbpipe.testing.TestJobConfig;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class DryRunTest {

    @Test
    void printsOneStableJsonLinePerInputLine() throws Exception {
        String input = String.join("\n",
                "{\"metrics\":[{\"appid\":\"mking\",\"hostname\":\"tbds-172-16-0-4\",\"metricname\":\"network\","
                        + "\"metrics\":{\"1597634942159\":\"406885354231\"},\"tags\":{\"instance_id\":\"lo\",\"type\":\"bytes_sent\"}}]}",
                "[{\"metric\":\"sys.cpu\",\"timestamp\":1597634942,\"value\":1.5,\"tags\":{\"host\":\"a\"}},"
                        + "{\"metric\":\"bad metric\",\"timestamp\":1597634942,\"value\":1,\"tags\":{\"host\":\"a\"}}]",
                "not json");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DryRun.run(
                PipelineComponents.decoder(JobConfig.of(Map.of()).configuration()),
                new BufferedReader(new StringReader(input)),
                new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
        assertThat(lines).hasSize(3);
        assertThat(lines[0]).isEqualTo("{\"line\":1,\"datapoints\":[{\"metric\":\"mking.network\","
                + "\"timestamp\":1597634942159,\"value\":406885354231,\"tags\":{\"hostname\":\"tbds-172-16-0-4\","
                + "\"instance_id\":\"lo\",\"type\":\"bytes_sent\"}}],\"rejects\":[]}");
        ObjectMapper json = new ObjectMapper();
        JsonNode second = json.readTree(lines[1]);
        assertThat(second.get("line").asInt()).isEqualTo(2);
        assertThat(second.get("datapoints")).hasSize(1);
        assertThat(second.get("datapoints").get(0).get("value").asDouble()).isEqualTo(1.5);
        assertThat(second.get("rejects").get(0).get("reason").asText()).isEqualTo("invalid_metric");
        JsonNode third = json.readTree(lines[2]);
        assertThat(third.get("datapoints")).isEmpty();
        assertThat(third.get("rejects").get(0).get("reason").asText()).isEqualTo("malformed_json");
        assertThat(third.get("rejects").get(0).get("message").asText()).isNotBlank();
    }

    @Test
    void showsWhatAMappingAndBlueKingReportsMakeEventsIncluded() throws Exception {
        Map<String, String> conf = new java.util.HashMap<>();
        TestJobConfig.seedMapping(conf);
        conf.put("mappings.frames.appid", "app");
        conf.put("mappings.frames.metricname", "m");
        conf.put("mappings.frames.hostname", "h");
        conf.put("mappings.frames.items", "t=v");
        conf.put("mappings.frames.topics", "frames");
        conf.put("channels.static.1500002.kind", "events");
        conf.put("channels.static.1500002.token", "dry-run-events-token-0123");
        conf.put("channels.static.1500002.metric-prefix", "bk");
        String input = String.join("\n",
                "{\"appIds\":\"mking\",\"ip\":\"127.0.0.1\",\"timestamp\":1597634942159,\"value\":406885354231,"
                        + "\"instance_id\":\"lo\",\"type\":\"bytes_sent\"}",
                "{\"data_id\":1500002,\"access_token\":\"dry-run-events-token-0123\",\"data\":[{\"event_name\":\"e\","
                        + "\"event\":{\"content\":\"c\"},\"target\":\"t\",\"timestamp\":1612509542000}]}");
        io.tsdbpipe.report.ReportDecoder decoder = PipelineComponents.decoder(JobConfig.of(conf).configuration());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DryRun.run(decoder, "", new BufferedReader(new StringReader(input)),
                new PrintStream(bytes, true, StandardCharsets.UTF_8));
        // --topic frames: the mapping bound to it takes every line
        DryRun.run(decoder, "frames", new BufferedReader(new StringReader(
                "{\"app\":\"a\",\"m\":\"b\",\"h\":\"h1\",\"t\":1597634942,\"v\":1}")),
                new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
        assertThat(lines[0]).isEqualTo("{\"line\":1,\"datapoints\":[{\"metric\":\"mking.network\","
                + "\"timestamp\":1597634942159,\"value\":406885354231,\"tags\":{\"hostname\":\"127.0.0.1\","
                + "\"instance_id\":\"lo\",\"type\":\"bytes_sent\"}}],\"rejects\":[]}");
        JsonNode event = new ObjectMapper().readTree(lines[1]);
        assertThat(event.get("datapoints")).isEmpty();
        assertThat(event.get("events").get(0).get("event_name").asText()).isEqualTo("e");
        assertThat(event.get("events").get(0).get("event_id").asText()).isEqualTo("dry-run-0@2#0");
        assertThat(lines[2]).contains("\"metric\":\"a.b\"").contains("\"hostname\":\"h1\"");
    }

    @Test
    void aLineThatIsNotUtf8PrintsMalformedJsonAndTheRunGoesOn(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        String good = "{\"metric\":\"sys.cpu\",\"timestamp\":1597634942,\"value\":1,\"tags\":{\"host\":\"a\"}}";
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.write((good + "\n").getBytes(StandardCharsets.UTF_8));
        file.write(new byte[] {'{', '"', 'm', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}', '\r', '\n'});
        file.write(good.getBytes(StandardCharsets.UTF_16LE));
        file.write('\n');
        file.write(good.getBytes(StandardCharsets.UTF_8));
        java.nio.file.Path input = dir.resolve("lines.jsonl");
        java.nio.file.Files.write(input, file.toByteArray());

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            DryRun.main(new String[] {input.toString()});
        } finally {
            System.setOut(stdout);
        }
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
        assertThat(lines).hasSize(4);
        ObjectMapper json = new ObjectMapper();
        assertThat(json.readTree(lines[0]).get("datapoints")).hasSize(1);
        for (int i = 1; i <= 2; i++) {
            JsonNode bad = json.readTree(lines[i]);
            assertThat(bad.get("line").asInt()).isEqualTo(i + 1);
            assertThat(bad.get("datapoints")).isEmpty();
            assertThat(bad.get("rejects").get(0).get("reason").asText()).isEqualTo("malformed_json");
        }
        assertThat(json.readTree(lines[3]).get("datapoints")).hasSize(1);
    }
}
