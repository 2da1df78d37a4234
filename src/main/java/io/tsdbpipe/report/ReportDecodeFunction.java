package io.tsdbpipe.report;

import io.tsdbpipe.deadletter.Reject;
import io.tsdbpipe.deadletter.RejectCounters;
import io.tsdbpipe.point.DataPoint;
import io.tsdbpipe.point.RejectReason;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.util.Map;

/**
 * The decode stage: each raw record becomes datapoints (main output) and rejects (side output {@link #REJECTS}).
 * Never throws on bad input. Metrics (group {@code decode}): {@code records}, {@code points}, and
 * {@code rejects} with a {@code reason} label per reason code.
 */
public final class ReportDecodeFunction extends ProcessFunction<RawRecord, DataPoint> {

    private static final long serialVersionUID = 1L;

    public static final OutputTag<Reject> REJECTS = new OutputTag<>("decode-rejects") {};

    private final ReportDecoder decoder;

    private transient Counter records;
    private transient Counter points;
    private transient Map<RejectReason, Counter> rejects;

    public ReportDecodeFunction(ReportDecoder decoder) {
        this.decoder = decoder;
    }

    @Override
    public void open(OpenContext openContext) {
        MetricGroup group = getRuntimeContext().getMetricGroup().addGroup("decode");
        records = group.counter("records");
        points = group.counter("points");
        rejects = RejectCounters.register(group);
    }

    @Override
    public void processElement(RawRecord record, Context ctx, Collector<DataPoint> out) {
        records.inc();
        decoder.decode(
                record,
                ctx.timerService().currentProcessingTime(),
                new DecodeOutput() {
                    @Override
                    public void point(DataPoint point) {
                        points.inc();
                        out.collect(point);
                    }

                    @Override
                    public void reject(Reject reject) {
                        rejects.get(reject.reason()).inc();
                        ctx.output(REJECTS, reject);
                    }
                });
    }
}
