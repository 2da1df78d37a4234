package io.tsdbpipe.report;

import io.tsdbpipe.channel.Channel;
import io.tsdbpipe.channel.ChannelLookup;
import io.tsdbpipe.channel.ChannelTopicLoader;
import io.tsdbpipe.deadletter.Reject;
import io.tsdbpipe.event.Event;
import io.tsdbpipe.point.DataPoint;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * The decode stage without a channel stream: each raw record becomes datapoints (main output), events (side output
 * {@link #EVENTS}) and rejects (side output {@link #REJECTS}). Never throws on bad input. Its channels are those of
 * the configuration plus, with a loader, the channel topic as it was when the subtask opened (a bounded job). With the
 * channel topic followed at runtime the stage is a {@link ChannelDecodeFunction}, with the same outputs and metrics.
 */
public final class ReportDecodeFunction extends ProcessFunction<RawRecord, DataPoint> implements ChannelLookup {

    private static final long serialVersionUID = 1L;

    private static final Logger LOG = LoggerFactory.getLogger(ReportDecodeFunction.class);

    public static final OutputTag<Reject> REJECTS = new OutputTag<>("decode-rejects") {};

    public static final OutputTag<Event> EVENTS = new OutputTag<>("decode-events") {};

    private final ReportDecoder decoder;
    private final ChannelTopicLoader loader;

    private transient DecodeEmitter emitter;
    private transient Map<Long, Channel> loaded;

    public ReportDecodeFunction(ReportDecoder decoder) {
        this(decoder, null);
    }

    /** @param loader reads the channel topic when the subtask opens; null for the configuration's channels only */
    public ReportDecodeFunction(ReportDecoder decoder, ChannelTopicLoader loader) {
        this.decoder = decoder;
        this.loader = loader;
    }

    @Override
    public void open(OpenContext openContext) {
        emitter = new DecodeEmitter(getRuntimeContext().getMetricGroup(), EVENTS, REJECTS);
        int[] invalid = {0};
        loaded = loader == null ? Map.of() : loader.load(invalid);
        if (loader != null && getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0) {
            LOG.info("Read {} channels from topic {} ({} invalid records skipped)", loaded.size(), loader.topic(),
                    invalid[0]);
        }
    }

    @Override
    public void processElement(RawRecord record, Context ctx, Collector<DataPoint> out) {
        emitter.records.inc();
        decoder.decode(record, ctx.timerService().currentProcessingTime(), this, emitter.to(out, ctx::output));
    }

    @Override
    public Channel channel(long dataId) {
        return Channel.newer(loaded.get(dataId), decoder.staticChannels().channel(dataId));
    }
}
