package io.tsdbpipe.event;

import org.apache.flink.api.common.functions.AggregateFunction;

/** Counts the events of one count series in a window; keeps the series and the first event's origin. */
public final class EventCountAggregate implements AggregateFunction<Event, EventCount, EventCount> {

    private static final long serialVersionUID = 1L;

    @Override
    public EventCount createAccumulator() {
        return new EventCount();
    }

    @Override
    public EventCount add(Event e, EventCount acc) {
        if (acc.metric == null) {
            acc.metric = e.countMetric();
            acc.tags = e.countTags();
            acc.origin = e.origin().withDataId(e.dataId()); // the count point's tenant is the channel
        }
        acc.count++;
        return acc;
    }

    @Override
    public EventCount getResult(EventCount acc) {
        return acc;
    }

    @Override
    public EventCount merge(EventCount a, EventCount b) {
        if (a.metric == null) {
            return b;
        }
        a.count += b.count;
        return a;
    }
}
