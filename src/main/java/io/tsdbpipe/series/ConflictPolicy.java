package io.tsdbpipe.series;

/** What the series stage does with a point whose series and timestamp were seen recently with another value. */
public enum ConflictPolicy {
    /**
     * Keep the first value; send the later point to the dead-letter topic as {@code conflicting_duplicate}. The
     * default, because OpenTSDB stores a conflicting write silently and then fails every query of the series.
     */
    FIRST_WINS,
    /**
     * Send the later point on. Only safe when every TSD runs with {@code tsd.storage.fix_duplicates=true} (the last
     * write then wins at query and compaction time).
     */
    LAST_WINS
}
