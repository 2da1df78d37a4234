package io.tsdbpipe.point;

import io.tsdbpipe.deadletter.RejectReason;

/**
 * A datapoint (or the part of a report it comes from) broke a rule. Carries the reason code and a message for the
 * dead-letter record. Thrown on bad input, which can arrive in floods: no stack trace is filled in.
 */
public final class InvalidPointException extends Exception {

    private static final long serialVersionUID = 1L;

    private final RejectReason reason;

    public InvalidPointException(RejectReason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public RejectReason reason() {
        return reason;
    }
}
