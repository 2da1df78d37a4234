package io.tsdbpipe.job;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job's entry point: {@code ReportPipelineJob [--config FILE] [--key value]...}. Reads the configuration, builds the
 * real parts ({@link PipelineParts}) and runs {@link ReportPipeline}. Submitted to a cluster with
 * {@code flink run}, or run embedded (scripts/run-local.sh) when Flink is on the classpath.
 */
public final class ReportPipelineJob {

    private static final Logger LOG = LoggerFactory.getLogger(ReportPipelineJob.class);

    private ReportPipelineJob() {}

    public static void main(String[] args) throws Exception {
        Configuration conf;
        StreamExecutionEnvironment env;
        try {
            conf = JobConfig.fromArgs(args).configuration();
            env = environment(conf);
        } catch (IllegalArgumentException e) {
            // every option and component validates its settings with a message naming the key
            System.err.println("Invalid job configuration: " + e.getMessage());
            System.exit(2);
            return;
        }
        LOG.info("Starting {}", conf.get(JobOptions.NAME));
        env.execute(conf.get(JobOptions.NAME));
    }

    /** The execution environment with the real job built in: Kafka sources, OpenTSDB and Kafka sinks. */
    public static StreamExecutionEnvironment environment(Configuration conf) {
        return environment(conf, PipelineParts.fromConfiguration(conf));
    }

    /** The execution environment with the job built in from these parts (tests replace some of the real ones). */
    public static StreamExecutionEnvironment environment(Configuration conf, PipelineParts parts) {
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(PipelineComponents.flinkConfiguration(conf));
        ReportPipeline.build(env, PipelineSettings.fromConfiguration(conf), parts);
        return env;
    }
}
