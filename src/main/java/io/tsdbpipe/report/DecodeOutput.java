package io.tsdbpipe.report;

import io.tsdbpipe.deadletter.Reject;
import io.tsdbpipe.event.Event;
import io.tsdbpipe.point.DataPoint;

/** Receives what one report decodes into. */
public interface DecodeOutput {

    void point(DataPoint point);

    /** An accepted BlueKing event. Outputs that cannot take events fail loudly rather than drop one. */
    default void event(Event event) {
        throw new IllegalStateException("this output takes no events, got " + event);
    }

    void reject(Reject reject);
}
