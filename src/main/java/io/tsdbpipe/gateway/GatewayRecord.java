package io.tsdbpipe.gateway;

import java.util.Map;

/**
 * One record the gateway produces to the report topic: one report, exactly the bytes the job reads.
 *
 * @param key the record key (null: the producer spreads the records over the partitions)
 * @param value the report (UTF-8 JSON, never compressed)
 * @param headers Kafka record headers (e.g. a Flume event's headers); empty for none
 */
public record GatewayRecord(byte[] key, byte[] value, Map<String, String> headers) {}
