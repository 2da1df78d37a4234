package io.tsdbpipe.point;

import io.tsdbpipe.types.SingletonTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;

import java.lang.reflect.Type;
import java.util.Map;

/** Tells Flink's type extraction to use {@link DataPointSerializer} wherever a {@link DataPoint} flows. */
public final class DataPointTypeInfoFactory extends TypeInfoFactory<DataPoint> {

    public static final TypeInformation<DataPoint> TYPE =
            SingletonTypeInfo.of(DataPoint.class, DataPointSerializer.INSTANCE);

    @Override
    public TypeInformation<DataPoint> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
        return TYPE;
    }
}
