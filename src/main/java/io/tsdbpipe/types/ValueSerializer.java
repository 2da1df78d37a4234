package io.tsdbpipe.types;

import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;

/**
 * Base of the hand-written serializers: a stateless singleton with a variable-length layout that never reuses
 * instances, so a subclass writes only its layout ({@code serialize}, {@code deserialize}), {@code createInstance} and
 * {@code snapshotConfiguration}. Values are immutable and shared on copy; a mutable type overrides
 * {@link #isImmutableType()} and {@link #copy(Object)}.
 */
public abstract class ValueSerializer<T> extends TypeSerializerSingleton<T> {

    private static final long serialVersionUID = 1L;

    @Override
    public boolean isImmutableType() {
        return true;
    }

    @Override
    public T copy(T from) {
        return from;
    }

    @Override
    public final T copy(T from, T reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public final T deserialize(T reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }
}
