package io.tsdbpipe.sink;

import io.tsdbpipe.deadletter.DeadLetterPublisherFactory;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;

/** Everything the writer needs beyond the Async Sink limits; built and validated by {@link OpenTsdbSinkBuilder}. */
final class OpenTsdbWriterSettings implements Serializable {

    private static final long serialVersionUID = 1L;

    final List<String> endpoints;
    final int maxBatchBytes;
    final boolean gzip;
    final boolean sync;
    final Duration syncTimeout;
    final Duration requestTimeout;
    final Duration retryInitialBackoff;
    final Duration retryMaxBackoff;
    final Duration maxRetryTime;
    final Duration endpointCooldown;
    final String basicAuthUsername;
    final String basicAuthPassword;
    final String authHeaderName;
    final String authHeaderValue;
    final DeadLetterPublisherFactory deadLetterPublisherFactory;
    final int deadLetterMaxItemChars;

    OpenTsdbWriterSettings(
            List<String> endpoints,
            int maxBatchBytes,
            boolean gzip,
            boolean sync,
            Duration syncTimeout,
            Duration requestTimeout,
            Duration retryInitialBackoff,
            Duration retryMaxBackoff,
            Duration maxRetryTime,
            Duration endpointCooldown,
            String basicAuthUsername,
            String basicAuthPassword,
            String authHeaderName,
            String authHeaderValue,
            DeadLetterPublisherFactory deadLetterPublisherFactory,
            int deadLetterMaxItemChars) {
        this.endpoints = List.copyOf(endpoints);
        this.maxBatchBytes = maxBatchBytes;
        this.gzip = gzip;
        this.sync = sync;
        this.syncTimeout = syncTimeout;
        this.requestTimeout = requestTimeout;
        this.retryInitialBackoff = retryInitialBackoff;
        this.retryMaxBackoff = retryMaxBackoff;
        this.maxRetryTime = maxRetryTime;
        this.endpointCooldown = endpointCooldown;
        this.basicAuthUsername = basicAuthUsername;
        this.basicAuthPassword = basicAuthPassword;
        this.authHeaderName = authHeaderName;
        this.authHeaderValue = authHeaderValue;
        this.deadLetterPublisherFactory = deadLetterPublisherFactory;
        this.deadLetterMaxItemChars = deadLetterMaxItemChars;
    }

    /** The query of every put: per-point details always (to find refused points), sync when asked for. */
    String putPathAndQuery() {
        return "/api/put?details" + (sync ? "&sync&sync_timeout=" + syncTimeout.toMillis() : "");
    }

    @Override
    public String toString() {
        // Never the credentials.
        return "endpoints=" + endpoints + ", maxBatchBytes=" + maxBatchBytes + ", gzip=" + gzip + ", sync=" + sync
                + ", requestTimeout=" + requestTimeout + ", auth=" + (basicAuthUsername != null ? "basic"
                : authHeaderName != null ? "header " + authHeaderName : "none");
    }
}
