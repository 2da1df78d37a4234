package io.tsdbpipe.sink;

import java.io.Serializable;

/** How much one global annotation holds: events, JSON bytes, characters of each event's content. */
public final class AnnotationLimits implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final int DEFAULT_MAX_EVENTS = 200;
    public static final int DEFAULT_MAX_BYTES = 32 * 1024;
    public static final int DEFAULT_MAX_CONTENT_CHARS = 512;

    final int maxEvents;
    final int maxBytes;
    final int maxContentChars;

    public AnnotationLimits(int maxEvents, int maxBytes, int maxContentChars) {
        if (maxEvents < 1 || maxBytes < 1024 || maxContentChars < 1) {
            throw new IllegalArgumentException("annotation limits must be positive (max-bytes at least 1 kb): "
                    + maxEvents + " events, " + maxBytes + " bytes, " + maxContentChars + " content characters");
        }
        this.maxEvents = maxEvents;
        this.maxBytes = maxBytes;
        this.maxContentChars = maxContentChars;
    }

    public static AnnotationLimits defaults() {
        return new AnnotationLimits(DEFAULT_MAX_EVENTS, DEFAULT_MAX_BYTES, DEFAULT_MAX_CONTENT_CHARS);
    }
}
