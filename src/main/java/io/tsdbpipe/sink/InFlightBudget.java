package io.tsdbpipe.sink;

import org.apache.flink.connector.base.sink.writer.strategy.AIMDScalingStrategy;
import org.apache.flink.connector.base.sink.writer.strategy.RateLimitingStrategy;
import org.apache.flink.connector.base.sink.writer.strategy.RequestInfo;
import org.apache.flink.connector.base.sink.writer.strategy.ResultInfo;

import java.util.function.BooleanSupplier;

/**
 * The in-flight budget of one OpenTSDB writer, as the Async Sink framework's rate-limiting strategy: at most
 * {@code maxInFlightRequests} requests and an AIMD-scaled number of entries in flight at once, counting the framework's
 * batches and the writer's own retries alike ({@link #acquire}/{@link #release}).
 *
 * <p>The writer takes failed entries into its own retry queue and completes the framework's batch at once, so the
 * framework sees every batch succeed; the writer therefore reports each request's outcome itself
 * ({@link #requestEnded}): a failed or partly retried request halves the budget, a clean one wins back one batch.
 * {@link #shouldBlock} also holds the framework's new batches while the writer says so (retries due, or its retry queue
 * over its bound): that is what blocks {@code write()} and back-pressures the source in an outage.
 *
 * <p>Used on the task thread only.
 */
final class InFlightBudget implements RateLimitingStrategy {

    private final int maxInFlightRequests;
    private final AIMDScalingStrategy scaling;
    private int maxInFlightEntries;
    private int requests;
    private int entries;
    private BooleanSupplier holdNewBatches = () -> false;
    private Runnable onRelease = () -> {};

    /**
     * Flink's default starts with one batch in flight and adds 10 entries per successful request: minutes of slow
     * start for every (re)started job. A TSD is sized for its full in-flight budget, so start there and win back one
     * batch per success; failures halve it (AIMD), which is the back-off that matters.
     */
    InFlightBudget(int maxBatchSize, int maxInFlightRequests) {
        int budget = maxBatchSize * maxInFlightRequests;
        this.maxInFlightRequests = maxInFlightRequests;
        this.scaling = AIMDScalingStrategy.builder(budget).setIncreaseRate(maxBatchSize).build();
        this.maxInFlightEntries = budget;
    }

    /** The writer's say in {@link #shouldBlock}, and what to do when a request ends. */
    void attach(BooleanSupplier holdNewBatches, Runnable onRelease) {
        this.holdNewBatches = holdNewBatches;
        this.onRelease = onRelease;
    }

    /** Whether a request of {@code batchSize} entries may start now. */
    boolean fits(int batchSize) {
        return requests < maxInFlightRequests && entries + batchSize <= maxInFlightEntries;
    }

    /** Whether one more request may start, whatever its size (an outage's single probe). */
    boolean hasRequestSlot() {
        return requests < maxInFlightRequests;
    }

    void acquire(int batchSize) {
        requests++;
        entries += batchSize;
    }

    void release(int batchSize) {
        requests = Math.max(0, requests - 1);
        entries = Math.max(0, entries - batchSize);
        onRelease.run();
    }

    /** AIMD: a request with entries to retry shrinks the budget, a clean one grows it. */
    void requestEnded(boolean failed) {
        maxInFlightEntries = failed ? scaling.scaleDown(maxInFlightEntries) : scaling.scaleUp(maxInFlightEntries);
    }

    int maxInFlightEntries() {
        return maxInFlightEntries;
    }

    @Override
    public void registerInFlightRequest(RequestInfo requestInfo) {
        acquire(requestInfo.getBatchSize());
    }

    @Override
    public void registerCompletedRequest(ResultInfo resultInfo) {
        release(resultInfo.getBatchSize());
        if (resultInfo.getFailedMessages() > 0) {
            requestEnded(true); // the framework's own timeout re-queued the batch
        }
    }

    @Override
    public boolean shouldBlock(RequestInfo requestInfo) {
        return !fits(requestInfo.getBatchSize()) || holdNewBatches.getAsBoolean();
    }

    @Override
    public int getMaxBatchSize() {
        return maxInFlightEntries;
    }
}
