package io.tsdbpipe.sink;

import java.io.Serializable;

/** How much one global annotation holds: events, JSON bytes, characters of each event's content. */
public record AnnotationLimits(int maxEvents, int maxBytes, int maxContentChars) implements Serializable {

    public static final int DEFAULT_MAX_EVENTS = 200;
    public static final int DEFAULT_MAX_BYTES = 32 * 1024;
    public static final int DEFAULT_MAX_CONTENT_CHARS = 512;

    public AnnotationLimits {
        if (maxEvents < 1 || maxBytes < 1024 || maxContentChars < 1) {
            throw new IllegalArgumentException("annotation limits must be positive (max-bytes at least 1 kb): "
                    + maxEvents + " events, " + maxBytes + " bytes, " + maxContentChars + " content characters");
        }
    }

    public static AnnotationLimits defaults() {
        return new AnnotationLimits(DEFAULT_MAX_EVENTS, DEFAULT_MAX_BYTES, DEFAULT_MAX_CONTENT_CHARS);
    }
}
