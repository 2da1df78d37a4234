package io.tsdbpipe.deadletter;

/**
 * Why an input (a whole report, one item of it, or one datapoint) was refused. The {@link #code()} is the stable,
 * documented text written to the dead-letter topic: never rename one, only add.
 */
public enum RejectReason {
    /** The record is not valid UTF-8 JSON. */
    MALFORMED_JSON,
    /** Valid JSON, but of no shape the job knows (docs/report-protocols.md section 1). */
    UNKNOWN_FORMAT,
    /** A field the format requires is absent or null. */
    MISSING_FIELD,
    /** The metric name is empty or has a character OpenTSDB refuses. */
    INVALID_METRIC,
    /** A tag key or value is empty, not a string/number/boolean, or has a character OpenTSDB refuses. */
    INVALID_TAG,
    /** The datapoint has no tag at all (OpenTSDB needs at least one). */
    NO_TAGS,
    /** More tags than {@code validation.max-tags} (OpenTSDB's tsd.storage.max_tags), counting added ones. */
    TOO_MANY_TAGS,
    /** The timestamp is not a positive integer of at most 13 digits. */
    INVALID_TIMESTAMP,
    /** The timestamp is outside the configured past/future window. */
    TIMESTAMP_OUT_OF_WINDOW,
    /** The value is not a finite number (or numeric string). */
    INVALID_VALUE,
    /** The report is well-formed but holds no datapoint (e.g. an empty list). */
    EMPTY_REPORT,
    /** The record is larger than {@code validation.max-payload-size}. */
    PAYLOAD_TOO_LARGE,
    /** Same series and timestamp as an earlier point, but another value (policy first-wins). */
    CONFLICTING_DUPLICATE,
    /** OpenTSDB refused the point permanently; the message carries its error text. */
    TSDB_REJECTED,
    /** A BlueKing report names a data_id that is not a registered channel, or a disabled one: nothing of it is written. */
    UNKNOWN_CHANNEL,
    /** A BlueKing report's access_token is missing or not its channel's: nothing of it is written. */
    AUTH_FAILED,
    /** An event arrived after its count window closed (window end + allowed lateness): not counted. */
    LATE_EVENT,
    /** A BlueKing report item beyond its channel's limit (max-items per report). */
    CHANNEL_LIMIT_EXCEEDED,
    /** A key appears twice in one JSON object of the report: the report is ambiguous and refused as a whole. */
    DUPLICATE_KEY,
    /**
     * The job failed to read the report because of a defect of its own (logged with the record's origin, never its
     * text): the whole report, kept for a replay once the job is fixed. Input never fails the job.
     */
    DECODE_FAILED,
    /** A point of a new series beyond its tenant's cardinality limit (active series, new series per hour or day). */
    CARDINALITY_LIMIT,
    /** A point beyond its tenant's rate limit (datapoints per second and burst), with the dead-letter policy. */
    RATE_LIMITED;

    private final String code;

    RejectReason() {
        this.code = name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The stable lower_snake code written to the dead-letter topic. */
    public String code() {
        return code;
    }
}
