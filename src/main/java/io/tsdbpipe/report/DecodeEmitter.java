package io.tsdbpipe.report;

import io.tsdbpipe.deadletter.Reject;
import io.tsdbpipe.deadletter.RejectCounters;
import io.tsdbpipe.event.Event;
import io.tsdbpipe.point.DataPoint;
import io.tsdbpipe.deadletter.RejectReason;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.util.Map;

/**
 * Where the decode functions send what a report decodes into: datapoints to the main output, events and rejects to
 * their side outputs, each counted (group {@code decode}: {@code records}, {@code points}, {@code events}, and
 * {@code rejects} per reason). One per function instance, pointed at the current record's outputs.
 */
final class DecodeEmitter implements DecodeOutput {

    /** The side-output half of a ProcessFunction or BroadcastProcessFunction context. */
    interface SideOutputs {
        <X> void output(OutputTag<X> tag, X value);
    }

    final Counter records;
    private final Counter points;
    private final Counter events;
    private final Map<RejectReason, Counter> rejects;
    private final OutputTag<Event> eventTag;
    private final OutputTag<Reject> rejectTag;

    private Collector<DataPoint> out;
    private SideOutputs side;

    DecodeEmitter(MetricGroup operatorGroup, OutputTag<Event> eventTag, OutputTag<Reject> rejectTag) {
        MetricGroup group = operatorGroup.addGroup("decode");
        this.records = group.counter("records");
        this.points = group.counter("points");
        this.events = group.counter("events");
        this.rejects = RejectCounters.register(group);
        this.eventTag = eventTag;
        this.rejectTag = rejectTag;
    }

    DecodeEmitter to(Collector<DataPoint> out, SideOutputs side) {
        this.out = out;
        this.side = side;
        return this;
    }

    @Override
    public void point(DataPoint point) {
        points.inc();
        out.collect(point);
    }

    @Override
    public void event(Event event) {
        events.inc();
        side.output(eventTag, event);
    }

    @Override
    public void reject(Reject reject) {
        rejects.get(reject.reason()).inc();
        side.output(rejectTag, reject);
    }
}
