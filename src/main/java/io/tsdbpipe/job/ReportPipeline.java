package io.tsdbpipe.job;

import io.tsdbpipe.channel.ChannelTopicLoader;
import io.tsdbpipe.channel.ChannelUpdate;
import io.tsdbpipe.deadletter.Reject;
import io.tsdbpipe.event.Event;
import io.tsdbpipe.event.EventCountAggregate;
import io.tsdbpipe.event.EventCountWindowFunction;
import io.tsdbpipe.event.EventWatermarks;
import io.tsdbpipe.event.FinalCountTrigger;
import io.tsdbpipe.event.LateEventFunction;
import io.tsdbpipe.job.PipelineSettings.Parallelism;
import io.tsdbpipe.metadata.MetadataStage;
import io.tsdbpipe.metadata.UidWatchOperator;
import io.tsdbpipe.point.DataPoint;
import io.tsdbpipe.point.DataPointTypeInfoFactory;
import io.tsdbpipe.point.SeriesId;
import io.tsdbpipe.point.SeriesIdTypeInfoFactory;
import io.tsdbpipe.point.TimestampPrecision;
import io.tsdbpipe.report.ChannelDecodeFunction;
import io.tsdbpipe.report.RawRecord;
import io.tsdbpipe.report.ReportDecodeFunction;
import io.tsdbpipe.series.RetiredSeriesState;
import io.tsdbpipe.series.ChannelSeriesGuardOperator;
import io.tsdbpipe.series.SeriesGuardOperator;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.util.OutputTag;

import java.util.Optional;
import java.util.function.Function;

/**
 * The topology, built from its parts ({@link PipelineParts}) and its settings ({@link PipelineSettings}), so tests can
 * swap Kafka and OpenTSDB for in-JVM servers or test doubles without touching it:
 *
 * <pre>
 * reports ------> decode --(points)--------------------------+--> keyBy(series) -> series guard -> OpenTSDB sink
 * channels -(broadcast)-^ \--(events)-> event time -> keyBy(count series) -> event counts -^          |
 *                          |                \-> keyBy(second) -> OpenTSDB annotations         metadata (optional)
 *                          |                \-> events topic
 *                          \--(rejects)--------+-- late events --+-- series rejects --> UID watch -> dead-letter sink
 * </pre>
 *
 * The channel records are broadcast to the series guard too: its tenants' limits follow the registry.
 *
 * Every operator has a stable uid (its state is bound to it: never change one) and a readable name.
 */
public final class ReportPipeline {

    public static final String SOURCE_UID = "kafka-source";
    public static final String DECODE_UID = "decode";
    /** The series stage; {@code series-guard} until its key became the series id ({@link RetiredSeriesState}). */
    public static final String SERIES_UID = "series-guard-2";
    public static final String SINK_UID = "opentsdb-sink";
    public static final String DEAD_LETTER_UID = "dead-letter-sink";
    public static final String CHANNEL_SOURCE_UID = "channel-source";
    public static final String EVENT_TIME_UID = "event-time";
    public static final String EVENT_COUNTS_UID = "event-counts";
    public static final String LATE_EVENTS_UID = "late-events";
    public static final String ANNOTATION_SINK_UID = "opentsdb-annotations";
    public static final String EVENTS_SINK_UID = "events-topic-sink";

    /** Events that arrive after their count window closed. */
    static final OutputTag<Event> LATE_EVENTS = new OutputTag<>("late-events") {};

    private final StreamExecutionEnvironment env;
    private final PipelineSettings settings;
    private final PipelineParts parts;
    /** The channel topic's records, for the decode and the series stage; null without a channel topic. */
    private DataStream<ChannelUpdate> channels;

    private ReportPipeline(StreamExecutionEnvironment env, PipelineSettings settings, PipelineParts parts) {
        this.env = env;
        this.settings = settings;
        this.parts = parts;
    }

    /** Builds the topology on {@code env}. */
    public static void build(StreamExecutionEnvironment env, PipelineSettings settings, PipelineParts parts) {
        new ReportPipeline(env, settings, parts).build();
    }

    private void build() {
        env.setMaxParallelism(settings.parallelism().max());
        SingleOutputStreamOperator<DataPoint> decoded = decode();
        DataStream<DataPoint> points = decoded;
        DataStream<Reject> rejects = decoded.getSideOutput(ReportDecodeFunction.REJECTS);
        if (settings.series().isPresent()) {
            // chained to decode, reads nothing: claims the series stage's old uid so that old savepoints restore
            points = decoded.map(new RetiredSeriesState())
                    .uid(RetiredSeriesState.UID)
                    .name("Retired series state")
                    .setParallelism(parallelism(Parallelism::decode));
        }
        if (parts.decoder().emitsEvents()) {
            SingleOutputStreamOperator<DataPoint> counts =
                    eventStages(decoded.getSideOutput(ReportDecodeFunction.EVENTS));
            points = points.union(counts);
            rejects = rejects.union(lateEvents(counts));
        }
        if (settings.series().isPresent()) {
            SingleOutputStreamOperator<DataPoint> guarded = series(points, settings.series().get());
            points = guarded;
            rejects = rejects.union(guarded.getSideOutput(SeriesGuardOperator.REJECTS));
        }
        if (settings.metadata().isPresent() && parts.metadataSink().isPresent()) {
            MetadataStage.attach(points, settings.metadata().get(), parts.metadataSink().get(),
                    parallelism(Parallelism::series));
        }
        sinks(points, uidWatch(rejects));
    }

    /** A pass-through on the (small) reject stream: its subtask 0 polls the TSDs' UID figures, whatever else runs. */
    private DataStream<Reject> uidWatch(DataStream<Reject> rejects) {
        if (settings.uidWatch().isEmpty()) {
            return rejects;
        }
        return rejects.transform("UID watch", rejects.getType(), new UidWatchOperator<>(settings.uidWatch().get()))
                .uid(UidWatchOperator.UID)
                .name("UID watch")
                .setParallelism(parallelism(Parallelism::deadLetter));
    }

    /** Reports into points, events and rejects (side outputs), with the channel topic broadcast when there is one. */
    private SingleOutputStreamOperator<DataPoint> decode() {
        DataStream<RawRecord> raw = env
                .fromSource(parts.reportSource(), WatermarkStrategy.noWatermarks(), "Kafka reports")
                .uid(SOURCE_UID)
                .setParallelism(parallelism(Parallelism::source));
        // the decode functions take null for "no channel topic to read when a subtask opens"
        ChannelTopicLoader loader = parts.channelLoader().orElse(null);
        SingleOutputStreamOperator<DataPoint> decoded;
        if (parts.channelSource().isPresent()) {
            // one reader is plenty for a small compacted topic; the broadcast takes every record to every subtask
            channels = env
                    .fromSource(parts.channelSource().get(), WatermarkStrategy.noWatermarks(), "Kafka channels")
                    .uid(CHANNEL_SOURCE_UID)
                    .setParallelism(1);
            BroadcastStream<ChannelUpdate> registry = channels.broadcast(ChannelDecodeFunction.CHANNELS);
            decoded = raw.connect(registry).process(new ChannelDecodeFunction(parts.decoder(), loader));
        } else {
            decoded = raw.process(new ReportDecodeFunction(parts.decoder(), loader));
        }
        return decoded.uid(DECODE_UID).name("Decode and validate").setParallelism(parallelism(Parallelism::decode));
    }

    /** The event clock and the count windows; the events also go to the annotation and events sinks there are. */
    private SingleOutputStreamOperator<DataPoint> eventStages(DataStream<Event> events) {
        PipelineSettings.EventSettings s = settings.eventSettings();
        SingleOutputStreamOperator<DataPoint> counts = events
                .assignTimestampsAndWatermarks(new EventWatermarks(s.outOfOrderness(), s.idleTimeout()))
                .uid(EVENT_TIME_UID)
                .name("Event time")
                .setParallelism(parallelism(Parallelism::decode))
                .keyBy(Event::countSeriesKey, Types.STRING)
                .window(TumblingEventTimeWindows.of(s.window()))
                .allowedLateness(s.allowedLateness())
                .trigger(new FinalCountTrigger(s.allowedLateness().toMillis()))
                .sideOutputLateData(LATE_EVENTS)
                .aggregate(new EventCountAggregate(),
                        new EventCountWindowFunction(s.precision() == TimestampPrecision.MILLISECONDS))
                .uid(EVENT_COUNTS_UID)
                .name("Event counts")
                .setParallelism(parallelism(Parallelism::events));
        // partitioned by second: one subtask, one request at a time, writes a second's annotation
        parts.annotationSink().ifPresent(sink -> events.keyBy(Event::second, Types.LONG)
                .sinkTo(sink)
                .uid(ANNOTATION_SINK_UID)
                .name("Event annotations")
                .setParallelism(parallelism(Parallelism::events)));
        parts.eventsSink().ifPresent(sink -> events.sinkTo(sink)
                .uid(EVENTS_SINK_UID)
                .name("Events topic")
                .setParallelism(parallelism(Parallelism::events)));
        return counts;
    }

    /** The events that came after their count window closed, as rejects. */
    private DataStream<Reject> lateEvents(SingleOutputStreamOperator<DataPoint> counts) {
        PipelineSettings.EventSettings s = settings.eventSettings();
        return counts.getSideOutput(LATE_EVENTS)
                .process(new LateEventFunction(s.window().toMillis(), s.allowedLateness().toMillis(),
                        settings.maxItemChars()))
                .uid(LATE_EVENTS_UID)
                .name("Late events")
                .setParallelism(parallelism(Parallelism::events));
    }

    /**
     * The keyed series stage: duplicates dropped, conflicting ones and those over a tenant's limits rejected (a side
     * output); with a channel topic, its records are broadcast to the stage too, so that a channel's limits change
     * without a restart.
     */
    private SingleOutputStreamOperator<DataPoint> series(
            DataStream<DataPoint> points, PipelineSettings.SeriesSettings series) {
        KeyedStream<DataPoint, SeriesId> keyed = points.keyBy(DataPoint::seriesId, SeriesIdTypeInfoFactory.TYPE);
        SingleOutputStreamOperator<DataPoint> guarded = channels == null
                ? keyed.transform("Series guard", DataPointTypeInfoFactory.TYPE, new SeriesGuardOperator(
                        series.window(), series.ttl(), settings.maxItemChars(), series.governance()))
                : keyed.connect(channels.broadcast()).transform("Series guard", DataPointTypeInfoFactory.TYPE,
                        new ChannelSeriesGuardOperator(series.window(), series.ttl(), settings.maxItemChars(),
                                series.governance(), parts.channelLoader().orElse(null)));
        return guarded
                .uid(SERIES_UID)
                .name("Series guard")
                .setParallelism(parallelism(Parallelism::series));
    }

    private void sinks(DataStream<DataPoint> points, DataStream<Reject> rejects) {
        points.sinkTo(parts.tsdbSink())
                .uid(SINK_UID)
                .name("OpenTSDB")
                .setParallelism(parallelism(Parallelism::sink));
        rejects.sinkTo(parts.deadLetterSink())
                .uid(DEAD_LETTER_UID)
                .name("Dead-letter topic")
                .setParallelism(parallelism(Parallelism::deadLetter));
    }

    /** A stage's parallelism: its own, else {@code parallelism.default}, else the environment's. */
    private int parallelism(Function<Parallelism, Optional<Integer>> stage) {
        Parallelism p = settings.parallelism();
        return stage.apply(p).or(p::defaults).orElseGet(env::getParallelism);
    }
}
