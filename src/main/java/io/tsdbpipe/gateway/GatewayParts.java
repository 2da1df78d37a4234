package io.tsdbpipe.gateway;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

/**
 * What every connection's request handler shares: the admission of reports, the producer, health, the counters, the
 * pending requests and the limits of {@link GatewaySettings}.
 *
 * @param pending requests taken and not yet answered, over both ports
 * @param pendingBytes decompressed bytes of the requests waiting for the broker, over both ports
 * @param maxQueuedAnswers answers pending or unwritten on one connection before it stops reading
 * @param requestTimeout how long a request's head and body may take to arrive
 * @param draining set when the gateway closes: new requests are refused, answers close their connection
 */
record GatewayParts(
        ReportAdmission admission,
        RecordSender sender,
        BooleanSupplier kafkaReachable,
        BooleanSupplier channelsReady,
        IntSupplier channels,
        GatewayMetrics metrics,
        AtomicInteger pending,
        int maxPendingRequests,
        int maxBodySize,
        long maxDecompressedSize,
        int retryAfterSeconds,
        AtomicLong pendingBytes,
        long maxPendingBytes,
        int maxQueuedAnswers,
        Duration requestTimeout,
        AtomicBoolean draining) {

    /** Answers one connection may have pending or unwritten before it stops reading (finding 1 of the review). */
    static final int MAX_QUEUED_ANSWERS = 64;

    /** With the defaults of the newer bounds (pending bytes, queued answers, request timeout). */
    GatewayParts(ReportAdmission admission, RecordSender sender, BooleanSupplier kafkaReachable,
            BooleanSupplier channelsReady, IntSupplier channels, GatewayMetrics metrics, AtomicInteger pending,
            int maxPendingRequests, int maxBodySize, long maxDecompressedSize, int retryAfterSeconds) {
        this(admission, sender, kafkaReachable, channelsReady, channels, metrics, pending, maxPendingRequests,
                maxBodySize, maxDecompressedSize, retryAfterSeconds, new AtomicLong(),
                GatewaySettings.defaults().maxPendingBytes(), MAX_QUEUED_ANSWERS,
                GatewaySettings.defaults().requestTimeout(), new AtomicBoolean());
    }

    /** The parts with these settings' limits. */
    static GatewayParts of(GatewaySettings settings, ReportAdmission admission, RecordSender sender,
            BooleanSupplier kafkaReachable, BooleanSupplier channelsReady, IntSupplier channels,
            GatewayMetrics metrics, AtomicInteger pending) {
        return new GatewayParts(admission, sender, kafkaReachable, channelsReady, channels, metrics, pending,
                settings.maxPendingRequests(), settings.maxBodySize(), settings.maxDecompressedSize(),
                settings.retryAfterSeconds(), new AtomicLong(), settings.maxPendingBytes(), MAX_QUEUED_ANSWERS,
                settings.requestTimeout(), new AtomicBoolean());
    }
}
