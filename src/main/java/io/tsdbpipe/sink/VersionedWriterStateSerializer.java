package io.tsdbpipe.sink;

import io.tsdbpipe.deadletter.Origin;

import org.apache.flink.connector.base.sink.writer.AsyncSinkWriterStateSerializer;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serializable;

/**
 * A writer state serializer whose entry layout grew over versions: it refuses versions it does not know and tells
 * {@link #deserializeRequestFromStream} which version it reads (the base class does not hand it over).
 */
abstract class VersionedWriterStateSerializer<T extends Serializable> extends AsyncSinkWriterStateSerializer<T> {

    private final int version;
    private final String what;
    private int readVersion;

    VersionedWriterStateSerializer(int version, String what) {
        this.version = version;
        this.what = what;
        this.readVersion = version;
    }

    /** The version of the state being read now. */
    final int readVersion() {
        return readVersion;
    }

    @Override
    public final synchronized BufferedRequestState<T> deserialize(int version, byte[] serialized) throws IOException {
        if (version < 1 || version > this.version) {
            throw new IOException("Unknown " + what + " state version " + version + " (this job reads 1 to "
                    + this.version + ")");
        }
        readVersion = version;
        try {
            return super.deserialize(version, serialized);
        } finally {
            readVersion = this.version;
        }
    }

    @Override
    public final int getVersion() {
        return version;
    }

    /** The origin's Kafka record (topic, partition, offset); its data_id goes where each layout put it. */
    static void writeRecord(Origin o, DataOutputStream out) throws IOException {
        out.writeUTF(o.topic());
        out.writeInt(o.partition());
        out.writeLong(o.offset());
    }

    static Origin readRecord(DataInputStream in) throws IOException {
        return new Origin(in.readUTF(), in.readInt(), in.readLong());
    }
}
