package io.tsdbpipe.reliability;

import io.tsdbpipe.channel.ChannelUpdate;
import io.tsdbpipe.deadletter.Reject;
import io.tsdbpipe.event.Event;
import io.tsdbpipe.point.DataPoint;
import io.tsdbpipe.deadletter.Origin;
import io.tsdbpipe.report.ChannelDecodeFunction;
import io.tsdbpipe.report.RawRecord;
import io.tsdbpipe.report.ReportDecodeFunction;
import io.tsdbpipe.report.ReportDecoder;

import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.BroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Drives the job's decode stage with Flink's operator test harnesses, one record at a time: {@link ReportDecodeFunction}
 * (the job without a channel topic) or {@link ChannelDecodeFunction} (with one; here its registry is the configuration's
 * channels). Outputs are taken and cleared after every record, so a long fuzz run holds nothing.
 */
final class DecodeDriver implements AutoCloseable {

    /** What one record decoded into; {@code thrown} is whatever escaped the decode stage (never anything). */
    static final class Outcome {
        final List<DataPoint> points = new ArrayList<>();
        final List<Event> events = new ArrayList<>();
        final List<Reject> rejects = new ArrayList<>();
        Throwable thrown;

        boolean isEmpty() {
            return points.isEmpty() && events.isEmpty() && rejects.isEmpty();
        }

        List<String> pointTexts() {
            List<String> t = new ArrayList<>();
            points.forEach(p -> t.add(p.toString()));
            return t;
        }

        List<String> reasons() {
            List<String> r = new ArrayList<>();
            rejects.forEach(x -> r.add(x.reason().code()));
            return r;
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder();
            sb.append("points=").append(pointTexts()).append(" events=").append(events.size())
                    .append(" rejects=[");
            for (Reject r : rejects) {
                sb.append("\n    ").append(r.reason().code()).append(": ").append(r.message())
                        .append(" | item=").append(abbreviate(r.item(), 300));
            }
            sb.append(rejects.isEmpty() ? "]" : "\n  ]");
            if (thrown != null) {
                sb.append(" thrown=").append(thrown);
            }
            return sb.toString();
        }
    }

    private final OneInputStreamOperatorTestHarness<RawRecord, DataPoint> plain;
    private final BroadcastOperatorTestHarness<RawRecord, ChannelUpdate, DataPoint> broadcast;

    private DecodeDriver(
            OneInputStreamOperatorTestHarness<RawRecord, DataPoint> plain,
            BroadcastOperatorTestHarness<RawRecord, ChannelUpdate, DataPoint> broadcast) {
        this.plain = plain;
        this.broadcast = broadcast;
    }

    /** The decode stage of a job without a channel topic. */
    static DecodeDriver reportDecodeFunction(ReportDecoder decoder) throws Exception {
        return new DecodeDriver(ProcessFunctionTestHarnesses.forProcessFunction(new ReportDecodeFunction(decoder)), null);
    }

    /** The decode stage of a job with a channel topic (the broadcast registry stays empty: configuration channels). */
    static DecodeDriver channelDecodeFunction(ReportDecoder decoder) throws Exception {
        return new DecodeDriver(null, ProcessFunctionTestHarnesses.forBroadcastProcessFunction(
                new ChannelDecodeFunction(decoder, null), ChannelDecodeFunction.CHANNELS));
    }

    Outcome decode(byte[] payload, Origin origin, long kafkaTimestamp, long nowMillis) {
        Outcome o = new Outcome();
        RawRecord record = new RawRecord(payload, origin, kafkaTimestamp);
        AbstractStreamOperatorTestHarness<DataPoint> h = plain != null ? plain : broadcast;
        try {
            h.setProcessingTime(nowMillis);
            if (plain != null) {
                plain.processElement(record, kafkaTimestamp);
            } else {
                broadcast.processElement(record, kafkaTimestamp);
            }
        } catch (Throwable t) {
            o.thrown = t;
        }
        for (Object r : h.getOutput()) {
            if (r instanceof StreamRecord) {
                o.points.add((DataPoint) ((StreamRecord<?>) r).getValue());
            }
        }
        h.getOutput().clear();
        take(h.getSideOutput(ReportDecodeFunction.REJECTS), o.rejects);
        take(h.getSideOutput(ReportDecodeFunction.EVENTS), o.events);
        return o;
    }

    private static <T> void take(Collection<StreamRecord<T>> side, List<T> into) {
        if (side != null) {
            for (StreamRecord<T> r : side) {
                into.add(r.getValue());
            }
            side.clear();
        }
    }

    static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "...(" + s.length() + " chars)";
    }

    @Override
    public void close() throws Exception {
        if (plain != null) {
            plain.close();
        }
        if (broadcast != null) {
            broadcast.close();
        }
    }
}
