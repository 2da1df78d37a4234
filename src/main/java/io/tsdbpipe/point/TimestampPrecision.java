package io.tsdbpipe.point;

/** The precision datapoints are written to OpenTSDB in. */
public enum TimestampPrecision {
    /** As received: seconds stay seconds, milliseconds stay milliseconds. */
    KEEP,
    /** Milliseconds are truncated to seconds. */
    SECONDS,
    /** Seconds are multiplied to milliseconds. */
    MILLISECONDS
}
