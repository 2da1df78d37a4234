package io.tsdbpipe.gateway;

import java.util.List;

/**
 * What a request body (decompressed) becomes: the edge checks of its endpoint, and the records to produce. The request
 * handler does the HTTP around it (routing, sizes, gzip, answers); tests give it their own.
 */
@FunctionalInterface
interface ReportAdmission {

    /**
     * @param datapoints what OpenTSDB's {@code ?summary} answer counts as "success"
     */
    record Admitted(List<GatewayRecord> records, int datapoints) {}

    /** @throws GatewayRejection the request is refused (malformed, wrong token, rate-limited, ...) */
    Admitted admit(Endpoint endpoint, byte[] body) throws GatewayRejection;
}
