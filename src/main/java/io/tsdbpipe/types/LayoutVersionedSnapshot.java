package io.tsdbpipe.types;

import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;

/**
 * Snapshot of a {@link ValueSerializer} whose version names its layout: no payload, the version read is the layout
 * to restore. Versions up to 3 were SimpleTypeSerializerSnapshot's (version 2 wrote the serializer's class name),
 * so a subclass keeps its class name. A subclass says which serializer reads a version and which older versions
 * it can migrate from.
 */
public abstract class LayoutVersionedSnapshot<T> implements TypeSerializerSnapshot<T> {

    private final int currentVersion;
    private int readVersion;

    protected LayoutVersionedSnapshot(int currentVersion) {
        this(currentVersion, currentVersion);
    }

    /** @param layout for a serializer of an older layout: the version of that layout, which this snapshot names */
    protected LayoutVersionedSnapshot(int currentVersion, int layout) {
        this.currentVersion = currentVersion;
        this.readVersion = layout;
    }

    /** The serializer of the layout of {@code version}. */
    protected abstract TypeSerializer<T> serializerOf(int version);

    /** Whether data written in the layout of an older {@code version} can be read and rewritten in the current one. */
    protected abstract boolean migratesFrom(int version);

    @Override
    public final int getCurrentVersion() {
        return currentVersion;
    }

    @Override
    public final void writeSnapshot(DataOutputView out) {}

    @Override
    public final void readSnapshot(int version, DataInputView in, ClassLoader classLoader) throws IOException {
        if (version == 2) {
            in.readUTF(); // SimpleTypeSerializerSnapshot's version 2 wrote the serializer's class name
        }
        readVersion = version;
    }

    @Override
    public final TypeSerializer<T> restoreSerializer() {
        return serializerOf(readVersion);
    }

    @Override
    public final TypeSerializerSchemaCompatibility<T> resolveSchemaCompatibility(
            TypeSerializerSnapshot<T> oldSerializerSnapshot) {
        if (oldSerializerSnapshot == null || oldSerializerSnapshot.getClass() != getClass()) {
            return TypeSerializerSchemaCompatibility.incompatible();
        }
        int old = ((LayoutVersionedSnapshot<T>) oldSerializerSnapshot).readVersion;
        return old == currentVersion ? TypeSerializerSchemaCompatibility.compatibleAsIs()
                : migratesFrom(old) ? TypeSerializerSchemaCompatibility.compatibleAfterMigration()
                : TypeSerializerSchemaCompatibility.incompatible();
    }
}
