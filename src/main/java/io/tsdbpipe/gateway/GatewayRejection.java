package io.tsdbpipe.gateway;

/**
 * A request the gateway refuses: the HTTP status, the reason code (a metrics label, documented in README.md) and a
 * message that is safe to send back to the client (it never quotes a token).
 */
public final class GatewayRejection extends Exception {

    private static final long serialVersionUID = 1L;

    private final RejectionReason reason;
    private final int retryAfterSeconds;

    public GatewayRejection(RejectionReason reason, String message) {
        this(reason, message, 0);
    }

    /** @param retryAfterSeconds the Retry-After the answer carries; 0 for none */
    public GatewayRejection(RejectionReason reason, String message, int retryAfterSeconds) {
        super(message, null, false, false); // no stack trace: a rejection is an answer, not a failure
        this.reason = reason;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public RejectionReason reason() {
        return reason;
    }

    public int status() {
        return reason.status();
    }

    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
