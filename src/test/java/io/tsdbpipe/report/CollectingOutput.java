package io.tsdbpipe.report;

import io.tsdbpipe.deadletter.Reject;
import io.tsdbpipe.deadletter.RejectReason;
import io.tsdbpipe.event.Event;
import io.tsdbpipe.point.DataPoint;

import java.util.ArrayList;
import java.util.List;

/** Keeps what a test decodes: datapoints, events (if it takes them) and rejects. */
final class CollectingOutput implements DecodeOutput {

    final List<DataPoint> points = new ArrayList<>();
    final List<Event> events = new ArrayList<>();
    final List<Reject> rejects = new ArrayList<>();

    private final boolean takesEvents;

    private CollectingOutput(boolean takesEvents) {
        this.takesEvents = takesEvents;
    }

    static CollectingOutput withEvents() {
        return new CollectingOutput(true);
    }

    /** An output that fails on an event, as {@link DecodeOutput}'s default does: for decoders without events. */
    static CollectingOutput withoutEvents() {
        return new CollectingOutput(false);
    }

    @Override
    public void point(DataPoint point) {
        points.add(point);
    }

    @Override
    public void event(Event event) {
        if (!takesEvents) {
            DecodeOutput.super.event(event);
        }
        events.add(event);
    }

    @Override
    public void reject(Reject reject) {
        rejects.add(reject);
    }

    void clear() {
        points.clear();
        events.clear();
        rejects.clear();
    }

    /** The datapoints as text. */
    List<String> texts() {
        List<String> t = new ArrayList<>();
        points.forEach(p -> t.add(p.toString()));
        return t;
    }

    List<RejectReason> reasons() {
        List<RejectReason> r = new ArrayList<>();
        rejects.forEach(x -> r.add(x.reason()));
        return r;
    }
}
