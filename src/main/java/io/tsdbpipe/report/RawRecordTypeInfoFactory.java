package io.tsdbpipe.report;

import io.tsdbpipe.types.SingletonTypeInfo;

import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;

import java.lang.reflect.Type;
import java.util.Map;

/** Tells Flink's type extraction to use {@link RawRecordSerializer} wherever a {@link RawRecord} flows. */
public final class RawRecordTypeInfoFactory extends TypeInfoFactory<RawRecord> {

    @Override
    public TypeInformation<RawRecord> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
        return SingletonTypeInfo.of(RawRecord.class, RawRecordSerializer.INSTANCE);
    }
}
