package io.tsdbpipe.types;

import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.testutils.DeeplyEqualsChecker;

/** Flink's serializer test (copy, snapshot, restore) for a hand-written singleton serializer: a test gives its data. */
public abstract class ValueSerializerTestBase<T> extends SerializerTestBase<T> {

    private final TypeSerializer<T> serializer;
    private final Class<T> type;
    private final int length;

    /** {@code length} is the serialized size, -1 for a variable-length layout. */
    protected ValueSerializerTestBase(TypeSerializer<T> serializer, Class<T> type, int length) {
        this.serializer = serializer;
        this.type = type;
        this.length = length;
    }

    protected ValueSerializerTestBase(TypeSerializer<T> serializer, Class<T> type, DeeplyEqualsChecker checker) {
        super(checker);
        this.serializer = serializer;
        this.type = type;
        this.length = -1;
    }

    @Override
    protected TypeSerializer<T> createSerializer() {
        return serializer;
    }

    @Override
    protected int getLength() {
        return length;
    }

    @Override
    protected Class<T> getTypeClass() {
        return type;
    }
}
