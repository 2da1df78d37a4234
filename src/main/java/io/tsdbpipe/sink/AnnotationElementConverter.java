package io.tsdbpipe.sink;

import io.tsdbpipe.event.Event;
import io.tsdbpipe.event.EventJson;

import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.connector.base.sink.writer.ElementConverter;

/** Renders an {@link Event} once into its annotation entry: the custom map's key and value, and its notes line. */
public final class AnnotationElementConverter implements ElementConverter<Event, AnnotationEntry> {

    private static final long serialVersionUID = 1L;

    private final int maxContentChars;

    public AnnotationElementConverter(int maxContentChars) {
        this.maxContentChars = maxContentChars;
    }

    @Override
    public AnnotationEntry apply(Event event, SinkWriter.Context context) {
        return new AnnotationEntry(
                event.second(),
                event.eventId(),
                EventJson.annotationEntry(event, maxContentChars),
                EventJson.noteLine(event, maxContentChars),
                event.origin());
    }
}
