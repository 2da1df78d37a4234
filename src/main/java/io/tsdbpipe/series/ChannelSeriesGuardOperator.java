package io.tsdbpipe.series;

import io.tsdbpipe.channel.Channel;
import io.tsdbpipe.channel.ChannelTopicLoader;
import io.tsdbpipe.channel.ChannelTypeInfoFactory;
import io.tsdbpipe.channel.ChannelUpdate;
import io.tsdbpipe.governance.GovernanceSettings;
import io.tsdbpipe.point.DataPoint;

import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.BasicTypeInfo;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

import java.time.Duration;
import java.util.Map;

/**
 * The series stage ({@link SeriesStage}) with the channel registry as its second input, broadcast to every subtask
 * (the keyed points connected with the broadcast channel stream): a channel's limits changed in the registry apply from its next point
 * on, without a restart. The registry is broadcast state (in every checkpoint); when the subtask opens it also reads
 * the channel topic to its end ({@link ChannelTopicLoader}), as the decode stage does, so that a fresh start does not
 * apply the defaults to a channel whose record is still on its way.
 */
public final class ChannelSeriesGuardOperator extends SeriesStage
        implements TwoInputStreamOperator<DataPoint, ChannelUpdate, DataPoint> {

    private static final long serialVersionUID = 1L;

    /** The registry: data_id -> newest channel record. */
    static final MapStateDescriptor<Long, Channel> CHANNELS =
            new MapStateDescriptor<>("channels", BasicTypeInfo.LONG_TYPE_INFO, ChannelTypeInfoFactory.TYPE);

    private final ChannelTopicLoader loader;

    private transient BroadcastState<Long, Channel> registry;

    /** @param loader reads the channel topic when the subtask opens; null to rely on the channel input alone */
    public ChannelSeriesGuardOperator(int window, Duration ttl, int maxItemChars, GovernanceSettings governance,
            ChannelTopicLoader loader) {
        super(window, ttl, maxItemChars, governance);
        this.loader = loader;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        registry = context.getOperatorStateStore().getBroadcastState(CHANNELS);
        for (Map.Entry<Long, Channel> e : registry.entries()) {
            channel(e.getValue());
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        if (loader != null) {
            loader.load(new int[1]).values().forEach(this::channel);
        }
    }

    @Override
    public void processElement1(StreamRecord<DataPoint> element) throws Exception {
        processPoint(element);
    }

    @Override
    public void processElement2(StreamRecord<ChannelUpdate> element) throws Exception {
        ChannelUpdate update = element.getValue();
        if (!update.isValid()) {
            return; // the decode stage counts and logs it
        }
        Channel next = update.channel();
        Channel current = registry.get(next.dataId());
        if (current != null && current.version() > next.version()) {
            return;
        }
        registry.put(next.dataId(), next);
        channel(next);
    }
}
