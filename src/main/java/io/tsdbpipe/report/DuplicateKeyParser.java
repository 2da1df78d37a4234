package io.tsdbpipe.report;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.util.JsonParserDelegate;

import java.io.IOException;
import java.util.Arrays;
import java.util.HashSet;

/**
 * A parser that fails with {@link RepeatedKey} at the first key repeated in any object, like Jackson's
 * {@code STRICT_DUPLICATE_DETECTION} but cheaper: the names of the open objects sit on one reused stack and a key is
 * compared with its object's earlier keys by hash (Jackson canonicalizes names, so equal keys usually are one String)
 * only when a 64-bit mask of their hashes says it may repeat one; an object with many keys gets a hash set. It reports no location: the decoder reads a report with a repeated key
 * again with Jackson's own check, whose error says where. Every token passes through {@link #nextToken}, skipped ones
 * included. Reused for every report ({@link #reset}).
 */
public final class DuplicateKeyParser extends JsonParserDelegate {

    /** Up to this many keys an object's keys are compared one by one. */
    private static final int SCAN_LIMIT = 16;

    /** Signals a repeated key; carries no text of the report. */
    public static final class RepeatedKey extends JsonProcessingException {
        private static final long serialVersionUID = 1L;

        RepeatedKey() {
            super("a key is repeated");
        }
    }

    /** Thrown at a top-level key of {@link #stopAt}: the reader wanted only documents without one. */
    static final class StopKey extends JsonProcessingException {
        private static final long serialVersionUID = 1L;

        StopKey() {
            super("a top-level key the reader stops at");
        }
    }

    private java.util.Set<String> stopAt = java.util.Set.of();
    private String[] names = new String[64];
    private int[] hashes = new int[64];
    private int top;
    /** How far the stack was used since {@link #reset}: what it clears. */
    private int used;
    /** Per open object (by depth): where its keys start on the stack. */
    private int[] starts = new int[16];
    /** Per open object: one bit per key hash modulo 64; a key whose bit is clear is new without a scan. */
    private long[] masks = new long[16];
    /** Per depth: the hash set of an object with more than {@link #SCAN_LIMIT} keys, or null. */
    private HashSet<String>[] sets = newSets(16);
    private int depth;

    public DuplicateKeyParser() {
        super(null);
    }

    /** Reads with {@code p} from now on, with no object open. */
    public DuplicateKeyParser reset(JsonParser p) {
        return reset(p, java.util.Set.of());
    }

    /** Reads with {@code p}, and fails with {@link StopKey} at a key of {@code stopAt} of the top-level object. */
    DuplicateKeyParser reset(JsonParser p, java.util.Set<String> stopAt) {
        delegate = p;
        this.stopAt = stopAt;
        Arrays.fill(names, 0, Math.max(used, top), null); // keep no report's names alive
        top = 0;
        used = 0;
        depth = 0;
        return this;
    }

    @Override
    public JsonToken nextToken() throws IOException {
        JsonToken t = delegate.nextToken();
        if (t == JsonToken.FIELD_NAME) {
            key(delegate.currentName());
        } else if (t == JsonToken.START_OBJECT) {
            openObject();
        } else if (t == JsonToken.END_OBJECT) {
            closeObject();
        }
        return t;
    }

    private void openObject() {
        if (++depth == starts.length) {
            starts = Arrays.copyOf(starts, depth * 2);
            masks = Arrays.copyOf(masks, depth * 2);
            sets = Arrays.copyOf(sets, depth * 2);
        }
        starts[depth] = top;
        masks[depth] = 0L;
        if (sets[depth] != null) {
            sets[depth].clear();
        }
    }

    private void closeObject() {
        if (depth > 0) {
            used = Math.max(used, top);
            top = starts[depth];
            if (sets[depth] != null) {
                sets[depth].clear();
            }
            depth--;
        }
    }

    private void key(String name) throws JsonProcessingException {
        if (depth == 1 && !stopAt.isEmpty() && stopAt.contains(name)) {
            throw new StopKey();
        }
        int start = starts[depth];
        int count = top - start;
        if (count >= SCAN_LIMIT) {
            HashSet<String> set = sets[depth];
            if (set == null) {
                set = sets[depth] = new HashSet<>();
            }
            if (set.isEmpty()) {
                set.addAll(Arrays.asList(names).subList(start, top));
            }
            if (!set.add(name)) {
                throw new RepeatedKey();
            }
            return; // past the scan limit the set holds the object's keys; the stack no longer grows
        }
        int h = name.hashCode();
        long bit = 1L << h; // the shift takes h modulo 64
        if ((masks[depth] & bit) != 0) {
            for (int i = start; i < top; i++) {
                if (hashes[i] == h && (names[i] == name || names[i].equals(name))) {
                    throw new RepeatedKey();
                }
            }
        }
        masks[depth] |= bit;
        if (top == names.length) {
            names = Arrays.copyOf(names, top * 2);
            hashes = Arrays.copyOf(hashes, top * 2);
        }
        names[top] = name;
        hashes[top] = h;
        top++;
    }

    @Override
    public JsonParser skipChildren() throws IOException {
        JsonToken t = currentToken();
        if (t != JsonToken.START_OBJECT && t != JsonToken.START_ARRAY) {
            return this;
        }
        int open = 1;
        while (true) {
            t = nextToken();
            if (t == null) {
                return this;
            }
            if (t.isStructStart()) {
                open++;
            } else if (t.isStructEnd() && --open == 0) {
                return this;
            }
        }
    }

    // every other way of advancing goes through nextToken() too

    @Override
    public JsonToken nextValue() throws IOException {
        JsonToken t = nextToken();
        return t == JsonToken.FIELD_NAME ? nextToken() : t;
    }

    @Override
    public String nextFieldName() throws IOException {
        return nextToken() == JsonToken.FIELD_NAME ? currentName() : null;
    }

    @Override
    public boolean nextFieldName(SerializableString str) throws IOException {
        return nextToken() == JsonToken.FIELD_NAME && str.getValue().equals(currentName());
    }

    @Override
    public String nextTextValue() throws IOException {
        return nextToken() == JsonToken.VALUE_STRING ? getText() : null;
    }

    @Override
    public int nextIntValue(int defaultValue) throws IOException {
        return nextToken() == JsonToken.VALUE_NUMBER_INT ? getIntValue() : defaultValue;
    }

    @Override
    public long nextLongValue(long defaultValue) throws IOException {
        return nextToken() == JsonToken.VALUE_NUMBER_INT ? getLongValue() : defaultValue;
    }

    @Override
    public Boolean nextBooleanValue() throws IOException {
        JsonToken t = nextToken();
        return t == JsonToken.VALUE_TRUE ? Boolean.TRUE : t == JsonToken.VALUE_FALSE ? Boolean.FALSE : null;
    }

    @SuppressWarnings("unchecked")
    private static HashSet<String>[] newSets(int n) {
        return (HashSet<String>[]) new HashSet<?>[n];
    }
}
