package io.tsdbpipe.series;

import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

class RecentPointsTest {

    private static final long S = 1_700_000_000_000L;

    /** An entry as the model keeps it: type and bits. */
    private record Value(boolean floating, long bits) {}

    @Test
    void whatIsWrittenReadsBackExactly() {
        Random random = new Random(42);
        long[] longs = {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE, 406885354231L, -406885354231L};
        for (int run = 0; run < 2000; run++) {
            int window = 1 + random.nextInt(RecentPoints.MAX_WINDOW);
            TreeMap<Long, Value> model = new TreeMap<>();
            RecentPoints points = new RecentPoints();
            points.read(null, window);
            int inserts = random.nextInt(2 * window + 2);
            for (int i = 0; i < inserts; i++) {
                long instant = switch (random.nextInt(4)) {
                    case 0 -> S + random.nextInt(1000) * 10_000L; // whole seconds, 10 s apart
                    case 1 -> S + random.nextInt(10_000_000); // any millisecond
                    case 2 -> 1000L * (1 + random.nextInt(1000)); // near the epoch
                    default -> (1L << 61) - 1 - random.nextInt(1000); // the far end
                };
                boolean floating = random.nextBoolean();
                long bits = floating
                        ? Double.doubleToLongBits(random.nextBoolean() ? -0.0 : random.nextGaussian())
                        : (random.nextBoolean() ? longs[random.nextInt(longs.length)] : random.nextLong());
                int at = points.find(instant);
                if (at >= 0 || (-at - 1 == 0 && points.isFull(window))) {
                    continue;
                }
                points.insert(window, -at - 1, instant, floating, bits);
                model.put(instant, new Value(floating, bits));
                if (model.size() > window) {
                    model.pollFirstEntry();
                }
                // every few inserts, through the bytes and back
                if (random.nextInt(3) == 0) {
                    byte[] state = points.write(S + run);
                    assertThat(RecentPoints.touchedMillis(state)).isEqualTo((S + run) / 1000 * 1000);
                    points = new RecentPoints();
                    points.read(state, window);
                }
            }
            RecentPoints read = new RecentPoints();
            read.read(points.write(S), window);
            assertThat(read.isFull(window)).isEqualTo(model.size() == window);
            for (var e : model.entrySet()) {
                int entry = read.find(e.getKey());
                assertThat(entry).as("run %d, instant %d", run, e.getKey()).isGreaterThanOrEqualTo(0);
                assertThat(read.sameValue(entry, e.getValue().floating(), e.getValue().bits())).isTrue();
                assertThat(read.sameValue(entry, !e.getValue().floating(), e.getValue().bits())).isFalse();
            }
        }
    }

    @Test
    void readingIntoASmallerWindowKeepsTheNewest() {
        RecentPoints points = new RecentPoints();
        points.read(null, 8);
        for (int i = 0; i < 8; i++) {
            points.insert(8, i, S + i * 10_000L, false, i);
        }
        RecentPoints smaller = new RecentPoints();
        smaller.read(points.write(S), 2);
        assertThat(smaller.find(S + 70_000L)).isEqualTo(1);
        assertThat(smaller.find(S + 60_000L)).isEqualTo(0);
        assertThat(smaller.find(S + 50_000L)).isNegative();
        assertThat(smaller.sameValue(1, false, 7)).isTrue();
    }

    @Test
    void aTypicalWindowTakesAFewBytesPerPoint() {
        // 8 instants 10 s apart, a counter's values: 4 bytes of write time, then ~2-3 bytes per point
        RecentPoints points = new RecentPoints();
        points.read(null, 8);
        for (int i = 0; i < 8; i++) {
            points.insert(8, i, S + i * 10_000L, false, 406885354231L + i * 1000L);
        }
        assertThat(points.write(S).length).isLessThanOrEqualTo(4 + 5 + 6 + 7 * (1 + 2));
    }
}
