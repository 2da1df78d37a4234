package io.tsdbpipe.point;

import io.tsdbpipe.types.SingletonTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;

import java.lang.reflect.Type;
import java.util.Map;

/** Tells Flink's type extraction to use {@link SeriesIdSerializer} for a {@link SeriesId}, a valid key type. */
public final class SeriesIdTypeInfoFactory extends TypeInfoFactory<SeriesId> {

    /** The type information of the series stage's key. */
    public static final TypeInformation<SeriesId> TYPE =
            SingletonTypeInfo.ofKey(SeriesId.class, SeriesIdSerializer.INSTANCE);

    @Override
    public TypeInformation<SeriesId> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
        return TYPE;
    }
}
