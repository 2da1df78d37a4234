package io.tsdbpipe.point;

import java.util.Arrays;

/**
 * Collects a datapoint's tags, each checked by {@link PointRules#tag}; a key put twice keeps the last value. Reused
 * for every item of a report (call {@link #clear()}), so that building tags allocates nothing but the final array.
 */
public final class TagsBuilder {

    private String[] flat = new String[16];
    private int pairs;

    public TagsBuilder clear() {
        pairs = 0;
        return this;
    }

    /** Adds or replaces a tag after checking it. */
    public TagsBuilder put(PointRules rules, String key, String value) throws InvalidPointException {
        rules.tag(key, value);
        for (int i = 0; i < pairs * 2; i += 2) {
            if (flat[i].equals(key)) {
                flat[i + 1] = value;
                return this;
            }
        }
        if (pairs * 2 == flat.length) {
            flat = Arrays.copyOf(flat, flat.length * 2);
        }
        flat[pairs * 2] = key;
        flat[pairs * 2 + 1] = value;
        pairs++;
        return this;
    }

    public int size() {
        return pairs;
    }

    /** The tags, count-checked and sorted by key, in a new array. */
    public String[] build(PointRules rules) throws InvalidPointException {
        return rules.sortedTags(flat, pairs);
    }
}
