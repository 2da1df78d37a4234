package io.tsdbpipe.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * Merges events into the global annotation of their second, as stored: OpenTSDB identifies a global annotation by its
 * second alone and a POST replaces its custom map as a whole, so every write is "what is stored + the new events". The
 * custom map holds one entry per event (key: its event id, value: its JSON), which makes the merge idempotent: a
 * replayed event is already there. Bounded: at most {@code maxEvents} events and {@code maxBodyBytes} of JSON per
 * annotation, and at most the sink's wire limit per request; events that do not fit are counted in {@code _overflow}
 * (they are on the events topic). Keys of the job start with {@code _}:
 *
 * <pre>{"startTime":1612509542,"description":"3 events","notes":"[1500002 app] login_failed @10.0.0.1 (abnormal): ...",
 *  "custom":{"_source":"tsdb-report-pipeline","_events":"3","reports-0@12#0":"{\"data_id\":1500002,...}",...}}</pre>
 *
 * An annotation someone else wrote at that second keeps its description and notes; the events go into its custom map.
 */
final class AnnotationMerge {

    static final String SOURCE_KEY = "_source";
    static final String SOURCE = "tsdb-report-pipeline";
    static final String EVENTS_KEY = "_events";
    static final String OVERFLOW_KEY = "_overflow";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The outcome for one second. */
    static final class Result {
        /** The body to POST, or null when the stored annotation already has everything that fits. */
        final byte[] body;
        final List<AnnotationEntry> added;
        final int alreadyPresent;
        final List<AnnotationEntry> overflowed;

        Result(byte[] body, List<AnnotationEntry> added, int alreadyPresent, List<AnnotationEntry> overflowed) {
            this.body = body;
            this.added = added;
            this.alreadyPresent = alreadyPresent;
            this.overflowed = overflowed;
        }
    }

    private AnnotationMerge() {}

    /**
     * @param stored the annotation OpenTSDB returned for the second, or null when it has none
     * @param wireSize the size of a body on the wire (gzip-compressed when the sink compresses)
     */
    static Result merge(
            long startTime,
            JsonNode stored,
            List<AnnotationEntry> entries,
            int maxEvents,
            int maxBodyBytes,
            int maxWireBytes,
            ToIntFunction<byte[]> wireSize) {
        Map<String, String> custom = new LinkedHashMap<>();
        if (stored != null && stored.path("custom").isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = stored.path("custom").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                custom.put(e.getKey(), e.getValue().asText());
            }
        }
        boolean ours = stored == null || SOURCE.equals(custom.get(SOURCE_KEY));
        String storedNotes = stored == null ? "" : stored.path("notes").asText("");
        String storedDescription = stored == null ? "" : stored.path("description").asText("");
        long overflow = parseLong(custom.get(OVERFLOW_KEY));
        int events = 0;
        for (String key : custom.keySet()) {
            if (isEventKey(key)) {
                events++;
            }
        }
        long size = estimate(stored);

        List<AnnotationEntry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparing(AnnotationEntry::eventId));
        List<AnnotationEntry> added = new ArrayList<>();
        List<AnnotationEntry> overflowed = new ArrayList<>();
        int present = 0;
        for (AnnotationEntry e : sorted) {
            if (custom.containsKey(e.eventId()) || containsId(added, e.eventId())) {
                present++;
            } else if (events + added.size() < maxEvents && size + e.sizeInBytes() <= maxBodyBytes) {
                added.add(e);
                size += e.sizeInBytes();
            } else {
                overflowed.add(e);
            }
        }
        if (added.isEmpty() && overflowed.isEmpty()) {
            return new Result(null, added, present, overflowed);
        }
        while (true) {
            byte[] body = body(startTime, custom, ours, storedDescription, storedNotes, events, added,
                    overflow + overflowed.size());
            if (added.isEmpty() || (body.length <= maxBodyBytes && wireSize.applyAsInt(body) <= maxWireBytes)) {
                return new Result(body, added, present, overflowed);
            }
            // the estimate was too kind (escaping, notes): the newest entry makes room
            overflowed.add(added.remove(added.size() - 1));
        }
    }

    private static byte[] body(
            long startTime,
            Map<String, String> stored,
            boolean ours,
            String storedDescription,
            String storedNotes,
            int storedEvents,
            List<AnnotationEntry> added,
            long overflow) {
        ObjectNode n = JSON.createObjectNode();
        n.put("startTime", startTime);
        int events = storedEvents + added.size();
        StringBuilder notes = new StringBuilder(storedNotes);
        if (ours) {
            for (AnnotationEntry e : added) {
                notes.append(notes.length() > 0 ? "\n" : "").append(e.noteLine());
            }
            n.put("description", events + (events == 1 ? " event" : " events")
                    + (overflow > 0 ? " (+" + overflow + " more on the events topic)" : ""));
        } else {
            n.put("description", storedDescription);
        }
        n.put("notes", notes.toString());
        ObjectNode custom = n.putObject("custom");
        stored.forEach(custom::put);
        for (AnnotationEntry e : added) {
            custom.put(e.eventId(), e.json());
        }
        if (ours) {
            custom.put(SOURCE_KEY, SOURCE);
            custom.put(EVENTS_KEY, Integer.toString(events));
        }
        if (overflow > 0) {
            custom.put(OVERFLOW_KEY, Long.toString(overflow));
        }
        try {
            return JSON.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Event ids are {@code topic-partition@offset#index}; the job's own keys start with '_'. */
    static boolean isEventKey(String key) {
        return !key.startsWith("_") && key.indexOf('#') > 0;
    }

    private static boolean containsId(List<AnnotationEntry> list, String id) {
        for (AnnotationEntry e : list) {
            if (e.eventId().equals(id)) {
                return true;
            }
        }
        return false;
    }

    private static long estimate(JsonNode stored) {
        if (stored == null) {
            return 128;
        }
        try {
            return JSON.writeValueAsBytes(stored).length + 64;
        } catch (IOException e) {
            return 128;
        }
    }

    private static long parseLong(String s) {
        if (s == null) {
            return 0;
        }
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static JsonNode parse(byte[] body) throws IOException {
        JsonNode n = JSON.readTree(body);
        return n != null && n.isObject() ? n : null;
    }
}
