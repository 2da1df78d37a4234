package io.tsdbpipe.point;

import java.io.Serializable;
import java.util.Objects;

/** Where a report came from: its Kafka topic, partition and offset. Shared by every point and reject of one record. */
public final class Origin implements Serializable {

    private static final long serialVersionUID = 1L;

    /** For points that did not come from Kafka (dry run, tests). */
    public static final Origin NONE = new Origin("", -1, -1L);

    private final String topic;
    private final int partition;
    private final long offset;

    public Origin(String topic, int partition, long offset) {
        this.topic = Objects.requireNonNull(topic, "topic");
        this.partition = partition;
        this.offset = offset;
    }

    public String topic() {
        return topic;
    }

    public int partition() {
        return partition;
    }

    public long offset() {
        return offset;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Origin)) {
            return false;
        }
        Origin that = (Origin) o;
        return partition == that.partition && offset == that.offset && topic.equals(that.topic);
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, partition, offset);
    }

    @Override
    public String toString() {
        return topic + '-' + partition + '@' + offset;
    }
}
