package io.tsdbpipe.sink;

import org.apache.flink.connector.base.sink.AsyncSinkBase;
import org.apache.flink.connector.base.sink.writer.ElementConverter;
import org.apache.flink.connector.base.sink.writer.config.AsyncSinkWriterConfiguration;
import org.apache.flink.connector.base.sink.writer.strategy.RateLimitingStrategy;

import java.io.Serializable;

/** What the datapoint sink and the annotation sink share: how their writers are configured and rate-limited. */
abstract class OpenTsdbAsyncSinkBase<InputT, RequestEntryT extends Serializable>
        extends AsyncSinkBase<InputT, RequestEntryT> {

    private static final long serialVersionUID = 1L;

    OpenTsdbAsyncSinkBase(
            ElementConverter<InputT, RequestEntryT> elementConverter,
            int maxBatchSize,
            int maxInFlightRequests,
            int maxBufferedRequests,
            long maxBatchSizeInBytes,
            long maxTimeInBufferMS,
            long maxRecordSizeInBytes,
            long requestTimeoutMS,
            boolean failOnTimeout) {
        super(elementConverter, maxBatchSize, maxInFlightRequests, maxBufferedRequests, maxBatchSizeInBytes,
                maxTimeInBufferMS, maxRecordSizeInBytes, requestTimeoutMS, failOnTimeout);
    }

    /** The writer configuration: this sink's limits and a new {@link InFlightBudget}. */
    AsyncSinkWriterConfiguration writerConfiguration() {
        return AsyncSinkWriterConfiguration.builder()
                .setMaxBatchSize(getMaxBatchSize())
                .setMaxBatchSizeInBytes(getMaxBatchSizeInBytes())
                .setMaxInFlightRequests(getMaxInFlightRequests())
                .setMaxBufferedRequests(getMaxBufferedRequests())
                .setMaxTimeInBufferMS(getMaxTimeInBufferMS())
                .setMaxRecordSizeInBytes(getMaxRecordSizeInBytes())
                .setRequestTimeoutMS(getRequestTimeoutMS())
                .setFailOnTimeout(getFailOnTimeout())
                .setRateLimitingStrategy(rateLimitingStrategy(getMaxBatchSize(), getMaxInFlightRequests()))
                .build();
    }

    /** A new budget per writer: it counts that writer's requests. */
    static RateLimitingStrategy rateLimitingStrategy(int maxBatchSize, int maxInFlightRequests) {
        return new InFlightBudget(maxBatchSize, maxInFlightRequests);
    }
}
