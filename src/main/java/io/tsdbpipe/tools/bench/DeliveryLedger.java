package io.tsdbpipe.tools.bench;

import java.nio.charset.StandardCharsets;
import java.util.BitSet;

/**
 * What a load run sent and what the servers acknowledged, by report id, checked against what the topic holds: every
 * report of {@link GatewayLoadClient} carries {@code "bench_id":"<run>-<n>"}, {@code n} counting from 0, so that each
 * Kafka record can be matched to the request that carried it. Not thread-safe: one per worker, {@link #merge}d.
 */
final class DeliveryLedger {

    /** The counts of one run. {@code lost} are acknowledged reports missing in the topic: what must be 0. */
    record Result(long sent, long acked, long found, long lost, long unackedFound, long duplicates, long foreign) {}

    private final byte[] marker;
    private final BitSet sent = new BitSet();
    private final BitSet acked = new BitSet();
    private final BitSet seen = new BitSet();
    private long duplicates;
    private long foreign;

    /** @param run the run's token: records of other runs (and without an id) count as {@code foreign} */
    DeliveryLedger(String run) {
        this.marker = ("\"bench_id\":\"" + run + "-").getBytes(StandardCharsets.UTF_8);
    }

    /** The id field of report {@code id} of run {@code run}, as it ends a report (without the closing brace). */
    static String idField(String run, long id) {
        return "\"bench_id\":\"" + run + "-" + id + "\"";
    }

    void sent(long id) {
        sent.set(Math.toIntExact(id));
    }

    void acked(long id) {
        acked.set(Math.toIntExact(id));
    }

    void merge(DeliveryLedger other) {
        sent.or(other.sent);
        acked.or(other.acked);
    }

    /** One record value of the topic. */
    void found(byte[] value) {
        long id = idOf(value);
        if (id < 0 || id >= Integer.MAX_VALUE || !sent.get((int) id)) {
            foreign++;
        } else if (seen.get((int) id)) {
            duplicates++;
        } else {
            seen.set((int) id);
        }
    }

    Result result() {
        BitSet foundAcked = (BitSet) acked.clone();
        foundAcked.and(seen);
        BitSet unackedFound = (BitSet) seen.clone();
        unackedFound.andNot(acked);
        return new Result(sent.cardinality(), acked.cardinality(), foundAcked.cardinality(),
                acked.cardinality() - foundAcked.cardinality(), unackedFound.cardinality(), duplicates, foreign);
    }

    /** The id of this run in {@code value} (the last occurrence of the marker), or -1. */
    long idOf(byte[] value) {
        outer:
        for (int i = value.length - marker.length; i >= 0; i--) {
            for (int j = 0; j < marker.length; j++) {
                if (value[i + j] != marker[j]) {
                    continue outer;
                }
            }
            long id = 0;
            int k = i + marker.length;
            int start = k;
            while (k < value.length && value[k] >= '0' && value[k] <= '9' && k - start < 18) {
                id = id * 10 + (value[k] - '0');
                k++;
            }
            return k > start && k < value.length && value[k] == '"' ? id : -1;
        }
        return -1;
    }
}
