package io.tsdbpipe.report;

import com.fasterxml.jackson.core.JsonParser;

import java.io.IOException;
import java.io.Serializable;
import java.util.Set;

/**
 * One shape of raw report. Adding a format is one class implementing this, registered in {@link ReportFormats}.
 *
 * <p>The {@link ReportDecoder} reads a report's top-level object field by field; the first field that a format
 * {@link #topLevelFields() claims} decides the shape, and that format reads the rest of the object.
 */
public interface ReportFormat extends Serializable {

    /** The name used in the configuration ({@code formats.enabled}). */
    String name();

    /** Top-level field names whose presence identifies this format. Must not overlap with another enabled format. */
    Set<String> topLevelFields();

    /**
     * The top-level fields that identify this format per docs/report-protocols.md section 1 (OpenTSDB JSON: {@code metric}, although
     * it also claims {@code timestamp}, {@code value} and {@code tags}, so that fields in any order reach it). An object
     * with none of any format's identifying fields is offered to the mappings tried in order first.
     */
    default Set<String> identifyingFields() {
        return topLevelFields();
    }

    /** Whether a top-level JSON array is a report of this format (then {@link #decodeArray} reads it). */
    default boolean acceptsArray() {
        return false;
    }

    /** Reads a top-level array: the parser is on its {@code START_ARRAY} and must end on its {@code END_ARRAY}. */
    default void decodeArray(JsonParser p, DecodeContext ctx) throws IOException {
        throw new UnsupportedOperationException(name() + " takes no arrays");
    }

    /**
     * Reads the rest of a top-level object. The parser is on the {@code FIELD_NAME} token of the first claimed field
     * (fields before it were of no format and are skipped); on return it must be on the object's {@code END_OBJECT}.
     * Emits points and rejects through the context; throws only when the JSON itself is unreadable.
     */
    void decodeObject(JsonParser p, DecodeContext ctx) throws IOException;
}
