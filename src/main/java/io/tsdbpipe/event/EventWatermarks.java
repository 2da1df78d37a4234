package io.tsdbpipe.event;

import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.TimestampAssignerSupplier;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

import java.time.Duration;

/**
 * The event clock of the count windows. Per decode subtask, the watermark is the newest event time seen minus the
 * out-of-orderness, with two changes to Flink's bounded-out-of-orderness strategy:
 *
 * <ul>
 *   <li>an event time ahead of the processing time counts as the processing time, so one client with a wrong clock
 *       cannot push the clock ahead and make every other client's events late;
 *   <li>events are sparse: after {@code idleTimeout} without an event (or, for a subtask that has seen none, since it
 *       started), the clock follows the processing time minus that timeout (and the out-of-orderness), so the last
 *       window before a quiet period still closes, and a subtask without events holds nobody back for long.
 * </ul>
 *
 * No subtask is ever marked idle: an idle input lets another input's end-of-input watermark (a bounded job) or a
 * subtask with newer events race ahead, and every event of the quiet subtask would then be late.
 */
public final class EventWatermarks implements WatermarkStrategy<Event> {

    private static final long serialVersionUID = 1L;

    private final long outOfOrdernessMillis;
    private final long idleTimeoutMillis;

    public EventWatermarks(Duration outOfOrderness, Duration idleTimeout) {
        this.outOfOrdernessMillis = outOfOrderness.toMillis();
        this.idleTimeoutMillis = idleTimeout.toMillis();
    }

    @Override
    public WatermarkGenerator<Event> createWatermarkGenerator(WatermarkGeneratorSupplier.Context context) {
        return new Generator(outOfOrdernessMillis, idleTimeoutMillis);
    }

    @Override
    public TimestampAssigner<Event> createTimestampAssigner(TimestampAssignerSupplier.Context context) {
        return (event, recordTimestamp) -> event.timestampMillis();
    }

    static final class Generator implements WatermarkGenerator<Event> {
        private final long outOfOrderness;
        private final long idleTimeout;
        private long maxTimestamp = Long.MIN_VALUE;
        private long lastEventAt = System.currentTimeMillis();
        private boolean seen;
        private long emitted = Long.MIN_VALUE;

        Generator(long outOfOrderness, long idleTimeout) {
            this.outOfOrderness = outOfOrderness;
            this.idleTimeout = idleTimeout;
        }

        @Override
        public void onEvent(Event event, long eventTimestamp, WatermarkOutput output) {
            long now = System.currentTimeMillis();
            maxTimestamp = Math.max(maxTimestamp, Math.min(eventTimestamp, now));
            lastEventAt = now;
            seen = true;
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            long wm = seen ? maxTimestamp - outOfOrderness - 1 : Long.MIN_VALUE;
            long now = System.currentTimeMillis();
            if (now - lastEventAt >= idleTimeout) {
                wm = Math.max(wm, now - idleTimeout - outOfOrderness - 1);
            }
            if (wm > emitted) {
                emitted = wm;
                output.emitWatermark(new Watermark(wm));
            }
        }
    }
}
