package io.tsdbpipe.gateway;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** {@link ReportProducer#send}: a request's records, acknowledged by the broker when the future completes. */
@FunctionalInterface
interface RecordSender {

    CompletableFuture<Void> send(List<GatewayRecord> records);
}
