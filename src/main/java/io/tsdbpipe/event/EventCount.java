package io.tsdbpipe.event;

import io.tsdbpipe.deadletter.Origin;

import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * The count window's accumulator: how many events of one count series fell into the window, with the series and the
 * first event's origin (the count point carries it, should OpenTSDB refuse the point). Mutable, window state only.
 */
@TypeInfo(EventCountTypeInfoFactory.class)
public final class EventCount {

    String metric;
    String[] tags;
    long count;
    Origin origin;

    public EventCount() {}

    EventCount(String metric, String[] tags, long count, Origin origin) {
        this.metric = metric;
        this.tags = tags;
        this.count = count;
        this.origin = origin;
    }

    public long count() {
        return count;
    }

    public String metric() {
        return metric;
    }

    public String[] tags() {
        return tags;
    }

    public Origin origin() {
        return origin;
    }
}
