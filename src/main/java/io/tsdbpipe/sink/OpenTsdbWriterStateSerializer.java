package io.tsdbpipe.sink;

import io.tsdbpipe.point.Origin;

import org.apache.flink.connector.base.sink.writer.AsyncSinkWriterStateSerializer;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * Serializes the sink's buffered points into checkpoints, by hand (no Java serialization, no Kryo). Version 1 layout
 * per entry: {@code int jsonLength, byte[] json, UTF topic, int partition, long offset}. The retry count is not kept:
 * a restored point starts over with the initial backoff.
 */
public class OpenTsdbWriterStateSerializer extends AsyncSinkWriterStateSerializer<OpenTsdbPutEntry> {

    private static final int VERSION = 1;

    @Override
    protected void serializeRequestToStream(OpenTsdbPutEntry entry, DataOutputStream out) throws IOException {
        byte[] json = entry.jsonBytes();
        out.writeInt(json.length);
        out.write(json);
        Origin o = entry.origin();
        out.writeUTF(o.topic());
        out.writeInt(o.partition());
        out.writeLong(o.offset());
    }

    @Override
    protected OpenTsdbPutEntry deserializeRequestFromStream(long requestSize, DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0) {
            throw new IOException("Corrupt OpenTSDB sink state: negative point length " + length);
        }
        byte[] json = new byte[length];
        in.readFully(json);
        Origin origin = new Origin(in.readUTF(), in.readInt(), in.readLong());
        return new OpenTsdbPutEntry(json, origin);
    }

    @Override
    public int getVersion() {
        return VERSION;
    }
}
