package io.tsdbpipe.sink;

import io.tsdbpipe.deadletter.Origin;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One datapoint as the sink buffers, checkpoints and sends it: its /api/put JSON object (UTF-8, shared: do not
 * modify), rendered once by the {@link OpenTsdbElementConverter}, and the Kafka record it came from (to dead-letter it
 * if OpenTSDB refuses it). The JSON also identifies the point in a {@code ?details} answer ({@link PutKey}).
 *
 * <p>The attempt count (how many times the point was sent and had to be retried) only paces retries (backoff); it is
 * not checkpointed. The time OpenTSDB first refused the point on its own with a retryable error (wall clock, 0 for
 * never) bounds its retries ({@code sink.opentsdb.max-retry-time}) and is checkpointed. Neither is part of equality.
 */
public record OpenTsdbPutEntry(byte[] jsonBytes, Origin origin, int attempts, long firstRefusalMillis)
        implements Serializable {

    public OpenTsdbPutEntry {
        Objects.requireNonNull(jsonBytes, "json");
        Objects.requireNonNull(origin, "origin");
    }

    public OpenTsdbPutEntry(byte[] json, Origin origin) {
        this(json, origin, 0, 0L);
    }

    /** The JSON object as text (for dead letters and logs). */
    public String json() {
        return new String(jsonBytes, StandardCharsets.UTF_8);
    }

    /**
     * The same point, one failed attempt later.
     *
     * @param refusedAtMillis when OpenTSDB refused this point on its own (epoch ms), or 0 when the whole request failed
     */
    OpenTsdbPutEntry retried(long refusedAtMillis) {
        long first = firstRefusalMillis != 0 ? firstRefusalMillis : refusedAtMillis;
        return new OpenTsdbPutEntry(jsonBytes, origin, attempts + 1, first);
    }

    /** What this point adds to an uncompressed request body: its JSON plus the separating comma. */
    long sizeInBytes() {
        return jsonBytes.length + 1L;
    }

    /** The JSON's content and the origin; not the retry state. */
    @Override
    public boolean equals(Object o) {
        return this == o || o instanceof OpenTsdbPutEntry that
                && Arrays.equals(jsonBytes, that.jsonBytes) && origin.equals(that.origin);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(jsonBytes) + origin.hashCode();
    }

    @Override
    public String toString() {
        return json() + " from " + origin;
    }
}
