package io.tsdbpipe.gateway;

/** Why the gateway refused a request: the HTTP status it answers and the code its metrics count it under. */
public enum RejectionReason {
    EMPTY_BODY(400, "empty_body"),
    INVALID_UTF8(400, "invalid_utf8"),
    INVALID_JSON(400, "invalid_json"),
    /** Well-formed JSON, but not the shape the endpoint takes (e.g. no data_id on /v2/push/). */
    UNKNOWN_FORMAT(400, "unknown_format"),
    BAD_GZIP(400, "bad_gzip"),
    UNSUPPORTED_ENCODING(415, "unsupported_encoding"),
    BODY_TOO_LARGE(413, "body_too_large"),
    /** The data_id has no channel. */
    UNKNOWN_CHANNEL(401, "unknown_channel"),
    CHANNEL_DISABLED(401, "channel_disabled"),
    INVALID_TOKEN(401, "invalid_token"),
    RATE_LIMITED(429, "rate_limited"),
    NOT_FOUND(404, "not_found"),
    METHOD_NOT_ALLOWED(405, "method_not_allowed"),
    /** Kafka did not acknowledge in time, or cannot be reached. */
    KAFKA_UNAVAILABLE(503, "kafka_unavailable"),
    /** The producer's buffer or the gateway's pending requests are full. */
    OVERLOADED(503, "overloaded"),
    /** The channel topic is not read to its end yet (at start, or while Kafka is unreachable then): not a 401. */
    CHANNELS_LOADING(503, "channels_loading"),
    /** A bug of the gateway (logged); the request was not accepted. */
    INTERNAL_ERROR(500, "internal_error");

    private final int status;
    private final String code;

    RejectionReason(int status, String code) {
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }
}
