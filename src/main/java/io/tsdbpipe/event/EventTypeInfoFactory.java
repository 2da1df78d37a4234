package io.tsdbpipe.event;

import io.tsdbpipe.types.SingletonTypeInfo;

import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;

import java.lang.reflect.Type;
import java.util.Map;

/** Tells Flink's type extraction to use {@link EventSerializer} wherever an {@link Event} flows. */
public final class EventTypeInfoFactory extends TypeInfoFactory<Event> {

    @Override
    public TypeInformation<Event> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
        return SingletonTypeInfo.of(Event.class, EventSerializer.INSTANCE);
    }
}
