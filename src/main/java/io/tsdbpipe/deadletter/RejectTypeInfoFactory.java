package io.tsdbpipe.deadletter;

import io.tsdbpipe.types.SingletonTypeInfo;

import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;

import java.lang.reflect.Type;
import java.util.Map;

/** Tells Flink's type extraction to use {@link RejectSerializer} wherever a {@link Reject} flows. */
public final class RejectTypeInfoFactory extends TypeInfoFactory<Reject> {

    @Override
    public TypeInformation<Reject> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
        return SingletonTypeInfo.of(Reject.class, RejectSerializer.INSTANCE);
    }
}
