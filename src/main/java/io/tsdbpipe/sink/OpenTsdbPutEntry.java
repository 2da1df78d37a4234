package io.tsdbpipe.sink;

import io.tsdbpipe.point.Origin;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One datapoint as the sink buffers, checkpoints and sends it: its /api/put JSON object, rendered once by the
 * {@link OpenTsdbElementConverter}, and the Kafka record it came from (to dead-letter it if OpenTSDB refuses it).
 * The JSON also identifies the point in a {@code ?details} answer ({@link PutKey}).
 *
 * <p>The attempt count only paces retries (backoff); it is not checkpointed. The time OpenTSDB first refused the point
 * on its own with a retryable error (wall clock, 0 for never) bounds its retries ({@code sink.opentsdb.max-retry-time})
 * and is checkpointed. Neither is part of equality.
 */
public final class OpenTsdbPutEntry implements Serializable {

    private static final long serialVersionUID = 1L;

    private final byte[] json;
    private final Origin origin;
    private final int attempts;
    private final long firstRefusalMillis;

    public OpenTsdbPutEntry(byte[] json, Origin origin) {
        this(json, origin, 0, 0L);
    }

    OpenTsdbPutEntry(byte[] json, Origin origin, int attempts, long firstRefusalMillis) {
        this.json = Objects.requireNonNull(json, "json");
        this.origin = Objects.requireNonNull(origin, "origin");
        this.attempts = attempts;
        this.firstRefusalMillis = firstRefusalMillis;
    }

    /** The UTF-8 JSON object; shared, do not modify. */
    byte[] jsonBytes() {
        return json;
    }

    /** The JSON object as text (for dead letters and logs). */
    public String json() {
        return new String(json, StandardCharsets.UTF_8);
    }

    public Origin origin() {
        return origin;
    }

    /** How many times this point was sent and had to be retried. */
    public int attempts() {
        return attempts;
    }

    /** When OpenTSDB first refused this point on its own with a retryable error (epoch ms), or 0. */
    long firstRefusalMillis() {
        return firstRefusalMillis;
    }

    /**
     * The same point, one failed attempt later.
     *
     * @param refusedAtMillis when OpenTSDB refused this point on its own (epoch ms), or 0 when the whole request failed
     */
    OpenTsdbPutEntry retried(long refusedAtMillis) {
        long first = firstRefusalMillis != 0 ? firstRefusalMillis : refusedAtMillis;
        return new OpenTsdbPutEntry(json, origin, attempts + 1, first);
    }

    /** What this point adds to an uncompressed request body: its JSON plus the separating comma. */
    long sizeInBytes() {
        return json.length + 1L;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof OpenTsdbPutEntry)) {
            return false;
        }
        OpenTsdbPutEntry that = (OpenTsdbPutEntry) o;
        return Arrays.equals(json, that.json) && origin.equals(that.origin);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(json) + origin.hashCode();
    }

    @Override
    public String toString() {
        return json() + " from " + origin;
    }
}
