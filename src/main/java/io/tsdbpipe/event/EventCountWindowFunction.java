package io.tsdbpipe.event;

import io.tsdbpipe.point.DataPoint;

import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/**
 * Turns a window's count into its datapoint: the count series at the window's start (in seconds, or milliseconds when
 * the job writes milliseconds), the count as an integer value.
 */
public final class EventCountWindowFunction extends ProcessWindowFunction<EventCount, DataPoint, String, TimeWindow> {

    private static final long serialVersionUID = 1L;

    private final boolean milliseconds;

    public EventCountWindowFunction(boolean milliseconds) {
        this.milliseconds = milliseconds;
    }

    @Override
    public void process(String key, Context ctx, Iterable<EventCount> counts, Collector<DataPoint> out) {
        for (EventCount c : counts) {
            if (c.metric != null && c.count > 0) {
                long start = ctx.window().getStart();
                out.collect(DataPoint.ofLong(
                        c.metric, milliseconds ? start : start / 1000L, c.count, c.tags, c.origin));
            }
        }
    }
}
