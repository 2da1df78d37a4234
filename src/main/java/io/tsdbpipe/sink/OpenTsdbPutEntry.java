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
 * <p>The attempt count only paces retries (backoff); it is not checkpointed and not part of equality.
 */
public final class OpenTsdbPutEntry implements Serializable {

    private static final long serialVersionUID = 1L;

    private final byte[] json;
    private final Origin origin;
    private final int attempts;

    public OpenTsdbPutEntry(byte[] json, Origin origin) {
        this(json, origin, 0);
    }

    private OpenTsdbPutEntry(byte[] json, Origin origin, int attempts) {
        this.json = Objects.requireNonNull(json, "json");
        this.origin = Objects.requireNonNull(origin, "origin");
        this.attempts = attempts;
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

    /** The same point, one failed attempt later. */
    OpenTsdbPutEntry retried() {
        return new OpenTsdbPutEntry(json, origin, attempts + 1);
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
