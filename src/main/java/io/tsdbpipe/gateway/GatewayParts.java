package io.tsdbpipe.gateway;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

/**
 * What every connection's request handler shares: the admission of reports, the producer, health, the counters, the
 * pending requests and the limits of {@link GatewaySettings}.
 *
 * @param pending requests taken and not yet answered, over both ports
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
        int retryAfterSeconds) {}
