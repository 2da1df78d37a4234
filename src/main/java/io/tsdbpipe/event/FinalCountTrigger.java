package io.tsdbpipe.event;

import org.apache.flink.streaming.api.windowing.triggers.Trigger;
import org.apache.flink.streaming.api.windowing.triggers.TriggerResult;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;

/**
 * Fires a window once, when the watermark passes its end plus the allowed lateness, instead of at its end and again
 * for every late event (Flink's EventTimeTrigger): OpenTSDB must see one value per count series and timestamp, since
 * a second, different value at the same timestamp breaks every query of the series ("Duplicate timestamp"). Events
 * within the lateness are in the count; later ones are the window operator's late data ({@code late_event}).
 */
public final class FinalCountTrigger extends Trigger<Object, TimeWindow> {

    private static final long serialVersionUID = 1L;

    private final long allowedLatenessMillis;

    public FinalCountTrigger(long allowedLatenessMillis) {
        this.allowedLatenessMillis = allowedLatenessMillis;
    }

    private long fireTime(TimeWindow window) {
        return window.maxTimestamp() + allowedLatenessMillis;
    }

    @Override
    public TriggerResult onElement(Object element, long timestamp, TimeWindow window, TriggerContext ctx) {
        ctx.registerEventTimeTimer(fireTime(window));
        return TriggerResult.CONTINUE;
    }

    @Override
    public TriggerResult onEventTime(long time, TimeWindow window, TriggerContext ctx) {
        return time == fireTime(window) ? TriggerResult.FIRE : TriggerResult.CONTINUE;
    }

    @Override
    public TriggerResult onProcessingTime(long time, TimeWindow window, TriggerContext ctx) {
        return TriggerResult.CONTINUE;
    }

    @Override
    public void clear(TimeWindow window, TriggerContext ctx) {
        ctx.deleteEventTimeTimer(fireTime(window));
    }

    @Override
    public String toString() {
        return "FinalCountTrigger(lateness=" + allowedLatenessMillis + " ms)";
    }
}
