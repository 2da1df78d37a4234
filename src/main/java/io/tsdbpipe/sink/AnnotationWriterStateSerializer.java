package io.tsdbpipe.sink;

import io.tsdbpipe.deadletter.Origin;

import org.apache.flink.connector.base.sink.writer.AsyncSinkWriterStateSerializer;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The annotation sink's buffered events in checkpoints, by hand. Version 1 per entry: {@code long startTime,
 * UTF eventId, int+bytes json, int+bytes noteLine, UTF topic, int partition, long offset}; version 2 adds
 * {@code long dataId} (the origin's BlueKing data_id, {@link Origin#NO_DATA_ID} for none). Version 1 is still read
 * (without a data_id).
 */
public class AnnotationWriterStateSerializer extends AsyncSinkWriterStateSerializer<AnnotationEntry> {

    private static final int VERSION = 2;

    /** The version being read; the base class does not hand it to {@link #deserializeRequestFromStream}. */
    private int readVersion = VERSION;

    @Override
    protected void serializeRequestToStream(AnnotationEntry e, DataOutputStream out) throws IOException {
        out.writeLong(e.startTime());
        out.writeUTF(e.eventId());
        bytes(e.json(), out);
        bytes(e.noteLine(), out);
        out.writeUTF(e.origin().topic());
        out.writeInt(e.origin().partition());
        out.writeLong(e.origin().offset());
        out.writeLong(e.origin().dataId());
    }

    @Override
    public synchronized BufferedRequestState<AnnotationEntry> deserialize(int version, byte[] serialized)
            throws IOException {
        if (version < 1 || version > VERSION) {
            throw new IOException("Unknown annotation sink state version " + version + " (this job reads 1 to "
                    + VERSION + ")");
        }
        readVersion = version;
        try {
            return super.deserialize(version, serialized);
        } finally {
            readVersion = VERSION;
        }
    }

    @Override
    protected AnnotationEntry deserializeRequestFromStream(long requestSize, DataInputStream in) throws IOException {
        long startTime = in.readLong();
        String id = in.readUTF();
        String json = string(in);
        String note = string(in);
        Origin origin = new Origin(in.readUTF(), in.readInt(), in.readLong());
        if (readVersion >= 2) {
            origin = origin.withDataId(in.readLong());
        }
        return new AnnotationEntry(startTime, id, json, note, origin);
    }

    private static void bytes(String s, DataOutputStream out) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String string(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            throw new IOException("Corrupt annotation sink state: negative length " + n);
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    @Override
    public int getVersion() {
        return VERSION;
    }
}
