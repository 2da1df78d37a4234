package io.tsdbpipe.job;


import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job's entry point: {@code ReportPipelineJob [--config FILE] [--key value]...}. Reads the configuration, builds the
 * real Kafka source, OpenTSDB sink and dead-letter sink, and runs {@link ReportPipeline}. Submitted to a cluster with
 * {@code flink run}, or run embedded (scripts/run-local.sh) when Flink is on the classpath.
 */
public final class ReportPipelineJob {

    private static final Logger LOG = LoggerFactory.getLogger(ReportPipelineJob.class);

    private ReportPipelineJob() {}

    public static void main(String[] args) throws Exception {
        Configuration conf;
        try {
            conf = JobConfig.fromArgs(args).configuration();
        } catch (IllegalArgumentException e) {
            System.err.println("Invalid job configuration: " + e.getMessage());
            System.exit(2);
            return;
        }
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(PipelineComponents.flinkConfiguration(conf));
        ReportPipeline.build(
                env,
                conf,
                PipelineComponents.kafkaSource(conf),
                PipelineComponents.tsdbSink(conf),
                PipelineComponents.deadLetterSink(conf));
        LOG.info("Starting {}", conf.get(PipelineOptions.JOB_NAME));
        env.execute(conf.get(PipelineOptions.JOB_NAME));
    }
}
