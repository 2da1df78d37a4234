package io.tsdbpipe.gateway;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;

/**
 * Produces the accepted reports to the report topic with an idempotent producer and {@code acks=all}. The gateway
 * answers 200 only when {@link #send}'s future completes: after the broker acknowledged every record of the request.
 * Thread-safe.
 */
public final class ReportProducer implements AutoCloseable {

    /**
     * @param kafkaProperties bootstrap.servers and any security settings (the durability settings are forced)
     * @param ackTimeout how long a request may wait for the broker's acknowledgement before it is answered 503
     * @param bufferBytes the producer's buffer; a request that does not fit is answered 503 at once
     */
    public ReportProducer(String topic, Properties kafkaProperties, Duration ackTimeout, long bufferBytes) {
        throw new UnsupportedOperationException("not yet");
    }

    /**
     * Sends the records of one request. The future completes normally when the broker acknowledged all of them, and
     * exceptionally with a {@link GatewayRejection} (503, {@link RejectionReason#KAFKA_UNAVAILABLE} or
     * {@link RejectionReason#OVERLOADED}, with a Retry-After) otherwise; never both, never before the outcome is known.
     */
    public CompletableFuture<Void> send(List<GatewayRecord> records) {
        throw new UnsupportedOperationException("not yet");
    }

    /** Whether the brokers answered recently: /healthz is ready only then. */
    public boolean reachable() {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public void close() {}
}
