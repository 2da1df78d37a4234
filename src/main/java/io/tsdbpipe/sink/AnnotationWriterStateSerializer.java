package io.tsdbpipe.sink;

import io.tsdbpipe.deadletter.Origin;

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
public class AnnotationWriterStateSerializer extends VersionedWriterStateSerializer<AnnotationEntry> {

    private static final int VERSION = 2;

    public AnnotationWriterStateSerializer() {
        super(VERSION, "annotation sink");
    }

    @Override
    protected void serializeRequestToStream(AnnotationEntry e, DataOutputStream out) throws IOException {
        out.writeLong(e.startTime());
        out.writeUTF(e.eventId());
        bytes(e.json(), out);
        bytes(e.noteLine(), out);
        writeRecord(e.origin(), out);
        out.writeLong(e.origin().dataId());
    }

    @Override
    protected AnnotationEntry deserializeRequestFromStream(long requestSize, DataInputStream in) throws IOException {
        long startTime = in.readLong();
        String id = in.readUTF();
        String json = string(in);
        String note = string(in);
        Origin origin = readRecord(in);
        if (readVersion() >= 2) {
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
}
