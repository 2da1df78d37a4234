package io.tsdbpipe.job;

import io.tsdbpipe.channel.ChannelUpdate;
import io.tsdbpipe.deadletter.Reject;
import io.tsdbpipe.event.Event;
import io.tsdbpipe.event.EventCountAggregate;
import io.tsdbpipe.event.EventCountWindowFunction;
import io.tsdbpipe.event.EventWatermarks;
import io.tsdbpipe.event.FinalCountTrigger;
import io.tsdbpipe.event.LateEventFunction;
import io.tsdbpipe.metadata.MetadataSettings;
import io.tsdbpipe.metadata.MetadataStage;
import io.tsdbpipe.metadata.UidWatchOperator;
import io.tsdbpipe.point.DataPoint;
import io.tsdbpipe.point.DataPointTypeInfoFactory;
import io.tsdbpipe.point.SeriesIdTypeInfoFactory;
import io.tsdbpipe.point.TimestampPrecision;
import io.tsdbpipe.report.BlueKingReportFormat;
import io.tsdbpipe.report.ChannelDecodeFunction;
import io.tsdbpipe.report.RawRecord;
import io.tsdbpipe.report.ReportDecodeFunction;
import io.tsdbpipe.report.ReportDecoder;
import io.tsdbpipe.series.RetiredSeriesState;
import io.tsdbpipe.series.SeriesGuardOperator;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.util.OutputTag;

import java.time.Duration;

/**
 * The topology, built from injected sources and sinks so tests can swap Kafka and OpenTSDB for in-JVM servers or test
 * doubles without touching it:
 *
 * <pre>
 * reports ------> decode --(points)--------------------------+--> keyBy(series) -> series guard -> OpenTSDB sink
 * channels -(broadcast)-^ \--(events)-> event time -> keyBy(count series) -> event counts -^
 *                          |                \-> keyBy(second) -> OpenTSDB annotations
 *                          |                \-> events topic
 *                          \--(rejects)--------+-- late events --+-- series rejects --> dead-letter sink
 * </pre>
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

    private ReportPipeline() {}

    /** The topology with the channel source, the annotation sink and the events sink built from the configuration. */
    public static void build(
            StreamExecutionEnvironment env,
            Configuration conf,
            Source<RawRecord, ?, ?> source,
            Sink<DataPoint> tsdbSink,
            Sink<Reject> deadLetterSink) {
        ReportDecoder decoder = PipelineComponents.decoder(conf);
        boolean events = decoder.hasFormat(BlueKingReportFormat.NAME);
        build(env, conf, source,
                events ? PipelineComponents.channelSource(conf) : null,
                tsdbSink,
                events ? PipelineComponents.annotationSink(conf) : null,
                events ? PipelineComponents.eventsSink(conf) : null,
                deadLetterSink);
    }

    /**
     * @param channelSource the channel topic's records, or null for channels of the configuration only
     * @param annotationSink BlueKing events into OpenTSDB annotations, or null for none
     * @param eventsSink every accepted event, or null for none
     */
    public static void build(
            StreamExecutionEnvironment env,
            Configuration conf,
            Source<RawRecord, ?, ?> source,
            Source<ChannelUpdate, ?, ?> channelSource,
            Sink<DataPoint> tsdbSink,
            Sink<Event> annotationSink,
            Sink<Event> eventsSink,
            Sink<Reject> deadLetterSink) {
        int defaultParallelism = conf.getOptional(ParallelismOptions.DEFAULT).orElse(env.getParallelism());
        env.setMaxParallelism(conf.get(ParallelismOptions.MAX));

        DataStream<RawRecord> raw = env.fromSource(source, WatermarkStrategy.noWatermarks(), "Kafka reports")
                .uid(SOURCE_UID)
                .setParallelism(parallelism(conf, ParallelismOptions.SOURCE, defaultParallelism));

        ReportDecoder decoder = PipelineComponents.decoder(conf);
        int decodeParallelism = parallelism(conf, ParallelismOptions.DECODE, defaultParallelism);
        SingleOutputStreamOperator<DataPoint> decoded;
        if (channelSource != null) {
            // one reader is plenty for a small compacted topic; the broadcast takes every record to every subtask
            BroadcastStream<ChannelUpdate> channels = env
                    .fromSource(channelSource, WatermarkStrategy.noWatermarks(), "Kafka channels")
                    .uid(CHANNEL_SOURCE_UID)
                    .setParallelism(1)
                    .broadcast(ChannelDecodeFunction.CHANNELS);
            decoded = raw.connect(channels)
                    .process(new ChannelDecodeFunction(decoder, PipelineComponents.channelLoader(conf)));
        } else {
            decoded = raw.process(new ReportDecodeFunction(decoder, PipelineComponents.channelLoader(conf)));
        }
        decoded.uid(DECODE_UID).name("Decode and validate").setParallelism(decodeParallelism);
        DataStream<Reject> rejects = decoded.getSideOutput(ReportDecodeFunction.REJECTS);
        DataStream<DataPoint> points = decoded;
        if (conf.get(SeriesOptions.ENABLED)) {
            // chained to decode, reads nothing: claims the series stage's old uid so that old savepoints restore
            points = decoded.map(new RetiredSeriesState())
                    .uid(RetiredSeriesState.UID)
                    .name("Retired series state")
                    .setParallelism(decodeParallelism);
        }

        if (decoder.hasFormat(BlueKingReportFormat.NAME)) {
            int eventsParallelism = parallelism(conf, ParallelismOptions.EVENTS, defaultParallelism);
            DataStream<Event> events = decoded.getSideOutput(ReportDecodeFunction.EVENTS);
            Duration window = PipelineComponents.eventWindow(conf);
            Duration lateness = conf.get(EventOptions.ALLOWED_LATENESS);
            SingleOutputStreamOperator<DataPoint> counts = events
                    .assignTimestampsAndWatermarks(new EventWatermarks(
                            conf.get(EventOptions.OUT_OF_ORDERNESS), conf.get(EventOptions.IDLE_TIMEOUT)))
                    .uid(EVENT_TIME_UID)
                    .name("Event time")
                    .setParallelism(decodeParallelism)
                    .keyBy(Event::countSeriesKey, Types.STRING)
                    .window(TumblingEventTimeWindows.of(window))
                    .allowedLateness(lateness)
                    .trigger(new FinalCountTrigger(lateness.toMillis()))
                    .sideOutputLateData(LATE_EVENTS)
                    .aggregate(new EventCountAggregate(), new EventCountWindowFunction(
                            conf.get(ValidationOptions.TIMESTAMP_PRECISION) == TimestampPrecision.MILLISECONDS))
                    .uid(EVENT_COUNTS_UID)
                    .name("Event counts")
                    .setParallelism(eventsParallelism);
            rejects = rejects.union(counts.getSideOutput(LATE_EVENTS)
                    .process(new LateEventFunction(window.toMillis(), lateness.toMillis(),
                            conf.get(DeadLetterOptions.MAX_ITEM_CHARS)))
                    .uid(LATE_EVENTS_UID)
                    .name("Late events")
                    .setParallelism(eventsParallelism));
            points = points.union(counts);
            if (annotationSink != null) {
                // partitioned by second: one subtask, one request at a time, writes a second's annotation
                events.keyBy(Event::second, Types.LONG)
                        .sinkTo(annotationSink)
                        .uid(ANNOTATION_SINK_UID)
                        .name("Event annotations")
                        .setParallelism(eventsParallelism);
            }
            if (eventsSink != null) {
                events.sinkTo(eventsSink)
                        .uid(EVENTS_SINK_UID)
                        .name("Events topic")
                        .setParallelism(eventsParallelism);
            }
        }

        if (conf.get(SeriesOptions.ENABLED)) {
            SingleOutputStreamOperator<DataPoint> guarded = points
                    .keyBy(DataPoint::seriesId, SeriesIdTypeInfoFactory.TYPE)
                    .transform("Series guard", DataPointTypeInfoFactory.TYPE, PipelineComponents.seriesGuard(conf))
                    .uid(SERIES_UID)
                    .name("Series guard")
                    .setParallelism(parallelism(conf, ParallelismOptions.SERIES, defaultParallelism));
            rejects = rejects.union(guarded.getSideOutput(SeriesGuardOperator.REJECTS));
            points = guarded;
        }

        int seriesParallelism = parallelism(conf, ParallelismOptions.SERIES, defaultParallelism);
        DataStream<DataPoint> described = points;
        MetadataSettings.fromConfiguration(conf).ifPresent(metadata -> MetadataStage.attach(described, metadata,
                MetadataStage.kafkaSink(conf), seriesParallelism));
        int deadLetterParallelism = parallelism(conf, ParallelismOptions.DEAD_LETTER, defaultParallelism);
        UidWatchOperator<Reject> uidWatch = UidWatchOperator.fromConfiguration(conf);
        if (uidWatch != null) {
            // a pass-through on the (small) reject stream: subtask 0 polls the TSDs whatever else runs
            rejects = rejects.transform("UID watch", rejects.getType(), uidWatch)
                    .uid(UidWatchOperator.UID)
                    .name("UID watch")
                    .setParallelism(deadLetterParallelism);
        }
        points.sinkTo(tsdbSink)
                .uid(SINK_UID)
                .name("OpenTSDB")
                .setParallelism(parallelism(conf, ParallelismOptions.SINK, defaultParallelism));
        rejects.sinkTo(deadLetterSink)
                .uid(DEAD_LETTER_UID)
                .name("Dead-letter topic")
                .setParallelism(deadLetterParallelism);
    }

    private static int parallelism(ReadableConfig conf, ConfigOption<Integer> option, int fallback) {
        return conf.getOptional(option).orElse(fallback);
    }
}
