package io.tsdbpipe.job;

import io.tsdbpipe.channel.ChannelTopicLoader;
import io.tsdbpipe.channel.ChannelUpdate;
import io.tsdbpipe.deadletter.Reject;
import io.tsdbpipe.event.Event;
import io.tsdbpipe.metadata.MetadataOptions;
import io.tsdbpipe.metadata.MetadataStage;
import io.tsdbpipe.point.DataPoint;
import io.tsdbpipe.report.RawRecord;
import io.tsdbpipe.report.ReportDecoder;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;

import java.util.Optional;

/**
 * The sources, the decoder and the sinks {@link ReportPipeline} wires together: the real ones from
 * {@link #fromConfiguration}, and tests replace any of them (Kafka and OpenTSDB by in-JVM servers or test doubles).
 *
 * @param channelSource the channel topic's records; empty for the channels of the configuration only
 * @param channelLoader reads the channel topic when a decode subtask opens; empty without a channel topic
 * @param annotationSink BlueKing events into OpenTSDB annotations; empty for none
 * @param eventsSink every accepted event; empty for none
 * @param metadataSink the metric metadata's (key, JSON) records; empty with {@code metadata.enabled: false}
 */
public record PipelineParts(
        Source<RawRecord, ?, ?> reportSource,
        Optional<Source<ChannelUpdate, ?, ?>> channelSource,
        Optional<ChannelTopicLoader> channelLoader,
        ReportDecoder decoder,
        Sink<DataPoint> tsdbSink,
        Optional<Sink<Event>> annotationSink,
        Optional<Sink<Event>> eventsSink,
        Sink<Reject> deadLetterSink,
        Optional<Sink<Tuple2<String, byte[]>>> metadataSink) {

    /** The real parts; the channel source and the event sinks only when the decoder emits events. */
    public static PipelineParts fromConfiguration(Configuration conf) {
        ReportDecoder decoder = PipelineComponents.decoder(conf);
        boolean events = decoder.emitsEvents();
        return new PipelineParts(
                PipelineComponents.kafkaSource(conf),
                events ? PipelineComponents.channelSource(conf) : Optional.empty(),
                PipelineComponents.channelLoader(conf),
                decoder,
                PipelineComponents.tsdbSink(conf),
                events ? PipelineComponents.annotationSink(conf) : Optional.empty(),
                events ? PipelineComponents.eventsSink(conf) : Optional.empty(),
                PipelineComponents.deadLetterSink(conf),
                conf.get(MetadataOptions.ENABLED) ? Optional.of(MetadataStage.kafkaSink(conf, conf.get(SourceOptions.BOOTSTRAP_SERVERS))) : Optional.empty());
    }

    /** These parts with another OpenTSDB sink (a test double, or the real one wrapped). */
    public PipelineParts withTsdbSink(Sink<DataPoint> sink) {
        return new PipelineParts(reportSource, channelSource, channelLoader, decoder, sink, annotationSink, eventsSink,
                deadLetterSink, metadataSink);
    }
}
