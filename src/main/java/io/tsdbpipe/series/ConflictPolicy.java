package io.tsdbpipe.series;

/**
 * What the series stage does with a point whose series and instant it remembers with another value.
 *
 * <p>Earlier versions also had {@code last_wins} (pass the later value on, for TSDs with
 * {@code tsd.storage.fix_duplicates=true}). It is refused at start: the sink retries and reorders writes, so the value
 * a TSD receives last need not be the one sent last, and a retried older value would win.
 */
public enum ConflictPolicy {
    /**
     * Keep the first value; send the later point to the dead-letter topic as {@code conflicting_duplicate}. OpenTSDB
     * would store a conflicting write silently and then fail every query of the series.
     */
    FIRST_WINS
}
