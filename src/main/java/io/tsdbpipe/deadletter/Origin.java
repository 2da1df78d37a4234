package io.tsdbpipe.deadletter;

import java.io.Serializable;
import java.util.Objects;

/**
 * Where a report came from: its Kafka topic, partition and offset, and for a BlueKing report its data_id (the
 * tenant of its points, see {@code io.tsdbpipe.governance.TenantResolver}). Shared by every point and reject of one
 * record.
 *
 * @param dataId the BlueKing report's data_id, or {@link #NO_DATA_ID}
 */
public record Origin(String topic, int partition, long offset, long dataId) implements Serializable {

    /** The data_id of a record that is no BlueKing report (or whose data_id was not read). */
    public static final long NO_DATA_ID = -1L;

    /** For points that did not come from Kafka (dry run, tests). */
    public static final Origin NONE = new Origin("", -1, -1L);

    public Origin {
        Objects.requireNonNull(topic, "topic");
    }

    /** A record of the topic, without a data_id. */
    public Origin(String topic, int partition, long offset) {
        this(topic, partition, offset, NO_DATA_ID);
    }

    /** The same record, read as a BlueKing report of this data_id. */
    public Origin withDataId(long id) {
        return id == dataId ? this : new Origin(topic, partition, offset, id);
    }

    /** The same Kafka record (topic, partition, offset), whatever the data_id read from it. */
    public boolean sameRecord(Origin other) {
        return partition == other.partition && offset == other.offset && topic.equals(other.topic);
    }

    public boolean hasDataId() {
        return dataId != NO_DATA_ID;
    }

    @Override
    public String toString() {
        return topic + '-' + partition + '@' + offset;
    }
}
