package io.tsdbpipe.event;

import io.tsdbpipe.deadletter.Reject;
import io.tsdbpipe.deadletter.RejectCounters;
import io.tsdbpipe.deadletter.RejectReason;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The count window's late data, as {@code late_event} rejects: the event was accepted (it is on the events topic and
 * in its annotation) but its count window had closed, so it is in no count. The item is the event's events-topic JSON.
 */
public final class LateEventFunction extends ProcessFunction<Event, Reject> {

    private static final long serialVersionUID = 1L;

    private final long windowMillis;
    private final long allowedLatenessMillis;
    private final int maxItemChars;

    private transient Counter late;

    public LateEventFunction(long windowMillis, long allowedLatenessMillis, int maxItemChars) {
        this.windowMillis = windowMillis;
        this.allowedLatenessMillis = allowedLatenessMillis;
        this.maxItemChars = maxItemChars;
    }

    @Override
    public void open(OpenContext openContext) {
        late = RejectCounters.register(getRuntimeContext().getMetricGroup().addGroup("events"))
                .get(RejectReason.LATE_EVENT);
    }

    @Override
    public void processElement(Event e, Context ctx, Collector<Reject> out) {
        late.inc();
        long start = Math.floorDiv(e.timestampMillis(), windowMillis) * windowMillis;
        out.collect(Reject.of(
                RejectReason.LATE_EVENT,
                "event at " + Instant.ofEpochMilli(e.timestampMillis()) + " arrived after its count window ["
                        + Instant.ofEpochMilli(start) + ", " + Instant.ofEpochMilli(start + windowMillis)
                        + ") closed (allowed lateness " + allowedLatenessMillis / 1000 + " s): not counted; it is on "
                        + "the events topic and in its annotation",
                e.origin().withDataId(e.dataId()),
                new String(EventJson.record(e), StandardCharsets.UTF_8),
                maxItemChars,
                ctx.timerService().currentProcessingTime()));
    }
}
