package io.tsdbpipe.series;

import io.tsdbpipe.deadletter.Reject;
import io.tsdbpipe.governance.GovernanceSettings;
import io.tsdbpipe.point.DataPoint;

import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

import java.time.Duration;

/**
 * The series stage ({@link SeriesStage}) without a channel input: the channels of the configuration only (no channel
 * topic, or a bounded run).
 */
public final class SeriesGuardOperator extends SeriesStage implements OneInputStreamOperator<DataPoint, DataPoint> {

    private static final long serialVersionUID = 1L;

    public static final OutputTag<Reject> REJECTS = new OutputTag<>("series-rejects") {};

    static final int SWEEP_CHUNK = SeriesStage.SWEEP_CHUNK;

    /** Without governance (every limit off). */
    public SeriesGuardOperator(int window, Duration ttl, int maxItemChars) {
        this(window, ttl, maxItemChars, GovernanceSettings.OFF);
    }

    public SeriesGuardOperator(int window, Duration ttl, int maxItemChars, GovernanceSettings governance) {
        super(window, ttl, maxItemChars, governance);
    }

    @Override
    public void processElement(StreamRecord<DataPoint> element) throws Exception {
        processPoint(element);
    }
}
