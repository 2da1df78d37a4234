package io.tsdbpipe.job;

import io.tsdbpipe.deadletter.Reject;
import io.tsdbpipe.point.DataPoint;
import io.tsdbpipe.report.RawRecord;
import io.tsdbpipe.report.ReportDecodeFunction;
import io.tsdbpipe.report.ReportDecoder;
import io.tsdbpipe.series.SeriesGuardFunction;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The topology, built from injected source and sinks so tests can swap Kafka and OpenTSDB for in-JVM servers or test
 * doubles without touching it:
 *
 * <pre>
 * source (RawRecord) -> decode -> keyBy(series) -> series guard -> OpenTSDB sink
 *                         \ rejects               \ rejects
 *                          +-----------------------+--> dead-letter sink
 * </pre>
 *
 * Every operator has a stable uid (its state is bound to it: never change one) and a readable name.
 */
public final class ReportPipeline {

    public static final String SOURCE_UID = "kafka-source";
    public static final String DECODE_UID = "decode";
    public static final String SERIES_UID = "series-guard";
    public static final String SINK_UID = "opentsdb-sink";
    public static final String DEAD_LETTER_UID = "dead-letter-sink";

    private ReportPipeline() {}

    public static void build(
            StreamExecutionEnvironment env,
            ReadableConfig conf,
            Source<RawRecord, ?, ?> source,
            Sink<DataPoint> tsdbSink,
            Sink<Reject> deadLetterSink) {
        int defaultParallelism = conf.getOptional(PipelineOptions.PARALLELISM).orElse(env.getParallelism());
        env.setMaxParallelism(conf.get(PipelineOptions.MAX_PARALLELISM));

        DataStream<RawRecord> raw = env.fromSource(source, WatermarkStrategy.noWatermarks(), "Kafka reports")
                .uid(SOURCE_UID)
                .setParallelism(parallelism(conf, PipelineOptions.SOURCE_PARALLELISM, defaultParallelism));

        ReportDecoder decoder = PipelineComponents.decoder(conf);
        SingleOutputStreamOperator<DataPoint> decoded = raw.process(new ReportDecodeFunction(decoder))
                .uid(DECODE_UID)
                .name("Decode and validate")
                .setParallelism(parallelism(conf, PipelineOptions.DECODE_PARALLELISM, defaultParallelism));
        DataStream<Reject> rejects = decoded.getSideOutput(ReportDecodeFunction.REJECTS);

        DataStream<DataPoint> points = decoded;
        if (conf.get(SeriesOptions.ENABLED)) {
            SingleOutputStreamOperator<DataPoint> guarded = decoded
                    .keyBy(DataPoint::seriesKey)
                    .process(PipelineComponents.seriesGuard(conf))
                    .uid(SERIES_UID)
                    .name("Series guard")
                    .setParallelism(parallelism(conf, PipelineOptions.SERIES_PARALLELISM, defaultParallelism));
            rejects = rejects.union(guarded.getSideOutput(SeriesGuardFunction.REJECTS));
            points = guarded;
        }

        points.sinkTo(tsdbSink)
                .uid(SINK_UID)
                .name("OpenTSDB")
                .setParallelism(parallelism(conf, PipelineOptions.SINK_PARALLELISM, defaultParallelism));
        rejects.sinkTo(deadLetterSink)
                .uid(DEAD_LETTER_UID)
                .name("Dead-letter topic")
                .setParallelism(parallelism(conf, PipelineOptions.DEAD_LETTER_PARALLELISM, defaultParallelism));
    }

    private static int parallelism(
            ReadableConfig conf, org.apache.flink.configuration.ConfigOption<Integer> option, int fallback) {
        return conf.getOptional(option).orElse(fallback);
    }
}
