package io.tsdbpipe.sink;

/**
 * A failure of the OpenTSDB sink. Thrown to fail the job only for what no retry can fix (refused credentials, a
 * read-only or wrong endpoint, a receiver that does not take gzip); everything transient is retried instead.
 */
public class OpenTsdbSinkException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The HTTP status that caused this, or -1 when there was no HTTP answer. */
    private final int statusCode;

    public OpenTsdbSinkException(String message) {
        this(message, -1, null);
    }

    public OpenTsdbSinkException(String message, Throwable cause) {
        this(message, -1, cause);
    }

    public OpenTsdbSinkException(String message, int statusCode, Throwable cause) {
        super(message, cause);
        this.statusCode = statusCode;
    }

    /** The HTTP status OpenTSDB answered with, or -1 when the failure was not an HTTP answer. */
    public int statusCode() {
        return statusCode;
    }
}
