package io.tsdbpipe.sink;

import io.tsdbpipe.event.Event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class AnnotationMergeTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AnnotationElementConverter CONVERTER = new AnnotationElementConverter(512);
    private static final long SECOND = 1_612_509_542L;

    private static List<AnnotationEntry> entries(long dataId, int from, int count) {
        List<AnnotationEntry> list = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            Event e = TestEvents.event(dataId, "login_failed", SECOND * 1000 + i, i, 0);
            list.add(CONVERTER.apply(e, null));
        }
        return list;
    }

    private static AnnotationMerge.Result merge(JsonNode stored, List<AnnotationEntry> entries, int maxEvents) {
        return AnnotationMerge.merge(SECOND, stored, entries, maxEvents, 64 * 1024, 1 << 20, b -> b.length);
    }

    private static JsonNode json(byte[] body) throws Exception {
        return JSON.readTree(body);
    }

    @Test
    void aNewSecondGetsEveryEventWithItsNotesAndMarker() throws Exception {
        AnnotationMerge.Result r = merge(null, entries(1500002, 0, 3), 100);
        JsonNode a = json(r.body);
        assertThat(a.get("startTime").asLong()).isEqualTo(SECOND);
        assertThat(a.has("tsuid")).isFalse();
        assertThat(a.get("description").asText()).isEqualTo("3 events");
        assertThat(a.get("notes").asText().split("\n")).hasSize(3)
                .allSatisfy(line -> assertThat(line).startsWith("[1500002 ch1500002] login_failed @10.0.0."));
        JsonNode custom = a.get("custom");
        assertThat(custom.get("_source").asText()).isEqualTo("tsdb-report-pipeline");
        assertThat(custom.get("_events").asText()).isEqualTo("3");
        assertThat(custom.get("ev-0@1#0").asText()).contains("\"data_id\":1500002").contains("login_failed");
        assertThat(r.added).hasSize(3);
    }

    @Test
    void anotherChannelsEventsOfTheSameSecondAreAddedNotOverwritten() throws Exception {
        JsonNode first = json(merge(null, entries(1500002, 0, 2), 100).body);
        JsonNode both = json(merge(first, entries(1500003, 10, 2), 100).body);
        assertThat(both.get("custom").get("_events").asText()).isEqualTo("4");
        assertThat(both.get("custom").fieldNames()).toIterable()
                .contains("ev-0@0#0", "ev-0@1#0", "ev-0@10#0", "ev-0@11#0");
        assertThat(both.get("notes").asText()).contains("[1500002").contains("[1500003");
    }

    @Test
    void aReplayChangesNothingSoNothingIsWritten() throws Exception {
        JsonNode stored = json(merge(null, entries(1500002, 0, 5), 100).body);
        AnnotationMerge.Result again = merge(stored, entries(1500002, 1, 3), 100);
        assertThat(again.body).isNull();
        assertThat(again.alreadyPresent).isEqualTo(3);
    }

    @Test
    void beyondTheBoundEventsAreCountedAsOverflow() throws Exception {
        AnnotationMerge.Result r = merge(null, entries(1500002, 0, 8), 5);
        JsonNode a = json(r.body);
        assertThat(a.get("custom").get("_events").asText()).isEqualTo("5");
        assertThat(a.get("custom").get("_overflow").asText()).isEqualTo("3");
        assertThat(a.get("description").asText()).isEqualTo("5 events (+3 more on the events topic)");
        assertThat(r.overflowed).hasSize(3);
        JsonNode later = json(merge(a, entries(1500003, 50, 2), 5).body);
        assertThat(later.get("custom").get("_overflow").asText()).isEqualTo("5");
    }

    @Test
    void theWireLimitMovesTheNewestEventsToTheOverflow() throws Exception {
        List<AnnotationEntry> many = entries(1500002, 0, 40);
        AnnotationMerge.Result r = AnnotationMerge.merge(SECOND, null, many, 100, 1 << 20, 4096, b -> b.length);
        assertThat(r.body.length).isLessThanOrEqualTo(4096);
        assertThat(r.added.size() + r.overflowed.size()).isEqualTo(40);
        assertThat(r.added).isNotEmpty();
        assertThat(json(r.body).get("custom").get("_overflow").asInt()).isEqualTo(r.overflowed.size());
    }

    @Test
    void someoneElsesAnnotationKeepsItsTextAndGainsTheEvents() throws Exception {
        JsonNode foreign = JSON.readTree("{\"tsuid\":\"\",\"description\":\"deploy v2\",\"notes\":\"by ops\","
                + "\"custom\":{\"owner\":\"ops\"},\"startTime\":" + SECOND + ",\"endTime\":0}");
        JsonNode a = json(merge(foreign, entries(1500002, 0, 2), 100).body);
        assertThat(a.get("description").asText()).isEqualTo("deploy v2");
        assertThat(a.get("notes").asText()).isEqualTo("by ops");
        assertThat(a.get("custom").get("owner").asText()).isEqualTo("ops");
        assertThat(a.get("custom").has("ev-0@0#0")).isTrue();
        assertThat(a.get("custom").has("_source")).isFalse();
    }
}
