package io.tsdbpipe.event;

import io.tsdbpipe.deadletter.Origin;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class EventWatermarksTest {

    /** Records what the generator emits. */
    private static final class Output implements WatermarkOutput {
        final List<Long> watermarks = new ArrayList<>();
        int idle;

        @Override
        public void emitWatermark(Watermark watermark) {
            watermarks.add(watermark.getTimestamp());
        }

        @Override
        public void markIdle() {
            idle++;
        }

        @Override
        public void markActive() {}

        long last() {
            return watermarks.isEmpty() ? Long.MIN_VALUE : watermarks.get(watermarks.size() - 1);
        }
    }

    private static Event at(long millis) {
        return new Event(1, "c", "e", "t", "none", "x", new String[0], millis, "m", new String[] {"a", "b"},
                Origin.NONE, 0);
    }

    @Test
    void followsTheNewestEventMinusTheOutOfOrdernessAndNeverGoesBack() {
        EventWatermarks.Generator g = new EventWatermarks.Generator(5_000, 600_000);
        Output out = new Output();
        long base = System.currentTimeMillis() - 3_600_000L;
        g.onPeriodicEmit(out);
        assertThat(out.watermarks).isEmpty();
        assertThat(out.idle).as("never idle: another input's end-of-input watermark would race ahead").isZero();
        g.onEvent(at(base + 10_000), base + 10_000, out);
        g.onPeriodicEmit(out);
        assertThat(out.last()).isEqualTo(base + 10_000 - 5_000 - 1);
        g.onEvent(at(base), base, out);
        g.onPeriodicEmit(out);
        assertThat(out.watermarks).hasSize(1);
    }

    @Test
    void aClockAheadOfTheProcessingTimeDoesNotMoveTheWatermarkAhead() {
        EventWatermarks.Generator g = new EventWatermarks.Generator(0, 600_000);
        Output out = new Output();
        long future = System.currentTimeMillis() + 3_000_000L;
        g.onEvent(at(future), future, out);
        g.onPeriodicEmit(out);
        assertThat(out.last()).isLessThanOrEqualTo(System.currentTimeMillis());
    }

    @Test
    void afterTheIdleTimeoutTheClockFollowsTheProcessingTime() throws Exception {
        EventWatermarks.Generator g = new EventWatermarks.Generator(0, 50);
        Output out = new Output();
        long old = System.currentTimeMillis() - 3_600_000L;
        g.onEvent(at(old), old, out);
        g.onPeriodicEmit(out);
        assertThat(out.last()).isLessThan(old);
        Thread.sleep(120);
        g.onPeriodicEmit(out);
        assertThat(out.last()).isGreaterThan(System.currentTimeMillis() - 1_000);

        EventWatermarks.Generator none = new EventWatermarks.Generator(0, 50);
        Output quiet = new Output();
        Thread.sleep(120);
        none.onPeriodicEmit(quiet);
        assertThat(quiet.last()).as("a subtask without events holds nobody back for long")
                .isGreaterThan(System.currentTimeMillis() - 1_000);
    }
}
