package io.tsdbpipe.sink;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the sent point behind each error of a {@code ?details} answer. Exact match on metric, timestamp, tags and value
 * text first; then without the value (should a TSD ever normalise the value text). The same point sent twice in one
 * batch matches twice. Runs only when an answer lists errors, so the entries' JSON is parsed here rather than kept parsed.
 */
final class PutErrorMatcher {

    private PutErrorMatcher() {}

    /**
     * @return for each error, the index of the sent entry it refers to, or -1 when none is left that matches
     */
    static int[] match(List<OpenTsdbPutEntry> sent, List<PutResponse.PutError> errors) {
        if (errors.isEmpty()) {
            // the usual answer: parsing every sent point to match nothing cost a core's tenth at full speed
            return new int[0];
        }
        Map<String, ArrayDeque<Integer>> exact = new HashMap<>();
        Map<String, ArrayDeque<Integer>> loose = new HashMap<>();
        for (int i = 0; i < sent.size(); i++) {
            PutKey key = PutKey.ofJson(sent.get(i).jsonBytes());
            exact.computeIfAbsent(key.exact(), k -> new ArrayDeque<>()).add(i);
            loose.computeIfAbsent(key.withoutValue(), k -> new ArrayDeque<>()).add(i);
        }
        boolean[] used = new boolean[sent.size()];
        int[] result = new int[errors.size()];
        for (int e = 0; e < errors.size(); e++) {
            PutKey key = errors.get(e).key();
            int index = take(exact.get(key.exact()), used);
            if (index < 0) {
                index = take(loose.get(key.withoutValue()), used);
            }
            result[e] = index;
        }
        return result;
    }

    private static int take(ArrayDeque<Integer> candidates, boolean[] used) {
        if (candidates == null) {
            return -1;
        }
        while (!candidates.isEmpty()) {
            int i = candidates.poll();
            if (!used[i]) {
                used[i] = true;
                return i;
            }
        }
        return -1;
    }
}
