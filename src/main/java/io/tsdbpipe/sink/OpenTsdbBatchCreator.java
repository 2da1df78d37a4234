package io.tsdbpipe.sink;

import org.apache.flink.connector.base.sink.writer.Batch;
import org.apache.flink.connector.base.sink.writer.BatchCreator;
import org.apache.flink.connector.base.sink.writer.RequestBuffer;
import org.apache.flink.connector.base.sink.writer.RequestEntryWrapper;
import org.apache.flink.connector.base.sink.writer.strategy.RequestInfo;

import java.util.ArrayList;
import java.util.List;

/**
 * Takes the next batch from the buffer: at most the batch size the framework allows (max-batch-points, lowered by its
 * congestion control) and at most {@link RequestSizer#rawBudget()} uncompressed bytes, which is the exact wire limit
 * without gzip and an estimate from the running compression ratio with it. The first entry is always taken, so an
 * oversized point reaches the writer (which dead-letters it) instead of blocking the buffer.
 */
final class OpenTsdbBatchCreator implements BatchCreator<OpenTsdbPutEntry> {

    private final RequestSizer sizer;

    OpenTsdbBatchCreator(RequestSizer sizer) {
        this.sizer = sizer;
    }

    @Override
    public Batch<OpenTsdbPutEntry> createNextBatch(RequestInfo requestInfo, RequestBuffer<OpenTsdbPutEntry> buffer) {
        int maxCount = requestInfo.getBatchSize();
        long budget = sizer.rawBudget();
        List<OpenTsdbPutEntry> batch = new ArrayList<>(Math.max(0, Math.min(maxCount, buffer.size())));
        long bytes = 0;
        while (batch.size() < maxCount && !buffer.isEmpty()) {
            RequestEntryWrapper<OpenTsdbPutEntry> next = buffer.peek();
            // The real size: the framework's is capped (see OpenTsdbSinkWriter#MAX_ACCOUNTED_ENTRY_BYTES).
            long size = next.getRequestEntry().sizeInBytes();
            if (!batch.isEmpty() && bytes + size > budget) {
                break;
            }
            buffer.poll();
            batch.add(next.getRequestEntry());
            bytes += size;
        }
        return new Batch<>(batch, bytes);
    }
}
