package io.tsdbpipe.channel;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Reads the channel topic; never throws, so that a bad record cannot fail the job (it becomes an invalid update). */
public final class ChannelRecordDeserializationSchema implements KafkaRecordDeserializationSchema<ChannelUpdate> {

    private static final long serialVersionUID = 1L;

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<ChannelUpdate> out) {
        out.collect(ChannelRecords.read(record.key(), record.value(), record.timestamp()));
    }

    @Override
    public TypeInformation<ChannelUpdate> getProducedType() {
        return TypeInformation.of(ChannelUpdate.class);
    }
}
