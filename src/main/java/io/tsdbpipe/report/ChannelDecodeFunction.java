package io.tsdbpipe.report;

import io.tsdbpipe.channel.Channel;
import io.tsdbpipe.channel.ChannelLookup;
import io.tsdbpipe.channel.ChannelTopicLoader;
import io.tsdbpipe.channel.ChannelTypeInfoFactory;
import io.tsdbpipe.channel.ChannelUpdate;
import io.tsdbpipe.point.DataPoint;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.BasicTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * The decode stage with the channel registry: reports on the first input, the channel topic's records on the broadcast
 * input (every subtask sees every record), kept in broadcast state, so the registry is in every checkpoint and survives
 * restarts. A channel's lookup is the newest of three map gets, by {@link Channel#version()}:
 *
 * <ol>
 *   <li>the broadcast state: every channel record read since the job's state began;
 *   <li>the topic as it was when this subtask opened ({@link ChannelTopicLoader}): on a fresh start the broadcast
 *       stream races the reports, and a report must not be refused only because its channel's record is still on
 *       its way (see README, Channels);
 *   <li>the channels of the configuration (lowest version: any topic record wins).
 * </ol>
 *
 * Outputs and metrics are {@link ReportDecodeFunction}'s; more metrics in group {@code channels}: {@code updates},
 * {@code invalidRecords} and the gauge {@code loadedAtOpen}.
 */
public final class ChannelDecodeFunction extends BroadcastProcessFunction<RawRecord, ChannelUpdate, DataPoint>
        implements ChannelLookup {

    private static final long serialVersionUID = 1L;

    private static final Logger LOG = LoggerFactory.getLogger(ChannelDecodeFunction.class);

    /** The registry: data_id -> newest channel record. */
    public static final MapStateDescriptor<Long, Channel> CHANNELS =
            new MapStateDescriptor<>("channels", BasicTypeInfo.LONG_TYPE_INFO, ChannelTypeInfoFactory.TYPE);

    private final ReportDecoder decoder;
    private final ChannelTopicLoader loader;

    private transient DecodeEmitter emitter;
    private transient Map<Long, Channel> loaded;
    private transient ReadOnlyContext current;
    private transient Counter updates;
    private transient Counter invalid;
    private transient boolean logs;

    /** @param loader reads the channel topic when the subtask opens; null to rely on the broadcast stream alone */
    public ChannelDecodeFunction(ReportDecoder decoder, ChannelTopicLoader loader) {
        this.decoder = decoder;
        this.loader = loader;
    }

    @Override
    public void open(OpenContext openContext) {
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        emitter = new DecodeEmitter(metrics, ReportDecodeFunction.EVENTS, ReportDecodeFunction.REJECTS);
        MetricGroup group = metrics.addGroup("channels");
        updates = group.counter("updates");
        invalid = group.counter("invalidRecords");
        logs = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0;
        int[] invalidAtOpen = {0};
        loaded = loader == null ? Map.of() : loader.load(invalidAtOpen);
        invalid.inc(invalidAtOpen[0]);
        int count = loaded.size();
        group.gauge("loadedAtOpen", (Gauge<Integer>) () -> count);
        if (logs && loader != null) {
            LOG.info("Read {} channels from topic {} ({} invalid records skipped); {} channels in the configuration",
                    count, loader.topic(), invalidAtOpen[0], decoder.staticChannels().size());
        }
    }

    @Override
    public void processElement(RawRecord record, ReadOnlyContext ctx, Collector<DataPoint> out) {
        emitter.records.inc();
        current = ctx; // the registry is looked up only for BlueKing reports
        decoder.decode(record, ctx.currentProcessingTime(), this, emitter.to(out, ctx::output));
    }

    @Override
    public Channel channel(long dataId) {
        Channel fromState;
        try {
            ReadOnlyBroadcastState<Long, Channel> registry = current.getBroadcastState(CHANNELS);
            fromState = registry.get(dataId);
        } catch (Exception e) {
            throw new IllegalStateException("Could not read the channel registry", e);
        }
        return Channel.newer(Channel.newer(fromState, loaded.get(dataId)), decoder.staticChannels().channel(dataId));
    }

    @Override
    public void processBroadcastElement(ChannelUpdate update, Context ctx, Collector<DataPoint> out)
            throws Exception {
        if (!update.isValid()) {
            invalid.inc();
            if (logs) {
                LOG.warn("Ignoring an invalid record of the channel topic (data_id {}): {}",
                        update.dataId(), update.problem());
            }
            return;
        }
        Channel next = update.channel();
        BroadcastState<Long, Channel> state = ctx.getBroadcastState(CHANNELS);
        Channel current = state.get(next.dataId());
        if (current != null && current.version() > next.version()) {
            return; // an older record, e.g. replayed from the topic's start
        }
        state.put(next.dataId(), next);
        updates.inc();
        Channel known = Channel.newer(current, loaded.get(next.dataId()));
        if (logs && (known == null || next.version() > known.version())) {
            LOG.info("Channel registry: {} {}", known == null ? "new" : "updated", next);
        }
    }
}
