package io.tsdbpipe.sink;

import io.tsdbpipe.deadletter.Origin;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * Serializes the sink's unsent points (its buffer and its retry queue) into checkpoints, by hand (no Java
 * serialization, no Kryo). Layout per entry: {@code int jsonLength, byte[] json, UTF topic, int partition, long offset},
 * and since version 2 {@code long firstRefusalMillis} (when OpenTSDB first refused the point on its own, 0 for never:
 * it bounds the point's retries across restarts), and since version 3 {@code long dataId} (the origin's BlueKing
 * data_id, {@link Origin#NO_DATA_ID} for none: a restored point's dead letter names its channel). Versions 1 and 2 are
 * still read (as never refused, without a data_id). The retry count is not kept: a restored point starts over with
 * the initial backoff.
 */
public class OpenTsdbWriterStateSerializer extends VersionedWriterStateSerializer<OpenTsdbPutEntry> {

    private static final int VERSION = 3;

    public OpenTsdbWriterStateSerializer() {
        super(VERSION, "OpenTSDB sink");
    }

    @Override
    protected void serializeRequestToStream(OpenTsdbPutEntry entry, DataOutputStream out) throws IOException {
        byte[] json = entry.jsonBytes();
        out.writeInt(json.length);
        out.write(json);
        writeRecord(entry.origin(), out);
        out.writeLong(entry.firstRefusalMillis());
        out.writeLong(entry.origin().dataId());
    }

    @Override
    protected OpenTsdbPutEntry deserializeRequestFromStream(long requestSize, DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0) {
            throw new IOException("Corrupt OpenTSDB sink state: negative point length " + length);
        }
        byte[] json = new byte[length];
        in.readFully(json);
        Origin origin = readRecord(in);
        long firstRefusalMillis = readVersion() >= 2 ? in.readLong() : 0L;
        if (readVersion() >= 3) {
            origin = origin.withDataId(in.readLong());
        }
        return new OpenTsdbPutEntry(json, origin, 0, firstRefusalMillis);
    }
}
