package io.tsdbpipe.sink;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobInfo;
import org.apache.flink.api.common.JobInfoImpl;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.common.TaskInfoImpl;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.runtime.metrics.groups.MetricsGroupTestUtils;
import org.apache.flink.streaming.runtime.tasks.StreamTaskActionExecutor;
import org.apache.flink.streaming.runtime.tasks.TestProcessingTimeService;
import org.apache.flink.streaming.runtime.tasks.mailbox.MailboxExecutorImpl;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailboxImpl;
import org.apache.flink.util.SimpleUserCodeClassLoader;
import org.apache.flink.util.UserCodeClassLoader;

import java.util.OptionalLong;

/**
 * The writer context of flink-connector-base's {@code TestSinkInitContextAnyThreadMailbox}, rebuilt from the test
 * jars this project has: that class needs {@code flink-connector-test-utils} (TestingJobInfo), which the pom lacks.
 * The mailbox takes mails from any thread (HTTP callbacks); processing-time timers fire only when advanced.
 */
final class TestingWriterInitContext implements WriterInitContext {

    private final TestProcessingTimeService timeService = new TestProcessingTimeService();
    private final SinkWriterMetricGroup metricGroup =
            MetricsGroupTestUtils.mockWriterMetricGroup(new UnregisteredMetricsGroup());
    private final MailboxExecutor mailbox = new MailboxExecutorImpl(
            new TaskMailboxImpl(Thread.currentThread()) {
                @Override
                public boolean isMailboxThread() {
                    return true;
                }
            },
            Integer.MAX_VALUE,
            StreamTaskActionExecutor.IMMEDIATE);

    @Override
    public UserCodeClassLoader getUserCodeClassLoader() {
        return SimpleUserCodeClassLoader.create(getClass().getClassLoader());
    }

    @Override
    public MailboxExecutor getMailboxExecutor() {
        return mailbox;
    }

    @Override
    public ProcessingTimeService getProcessingTimeService() {
        return timeService;
    }

    @Override
    public SinkWriterMetricGroup metricGroup() {
        return metricGroup;
    }

    @Override
    public SerializationSchema.InitializationContext asSerializationSchemaInitializationContext() {
        return new SerializationSchema.InitializationContext() {
            @Override
            public MetricGroup getMetricGroup() {
                return metricGroup;
            }

            @Override
            public UserCodeClassLoader getUserCodeClassLoader() {
                return TestingWriterInitContext.this.getUserCodeClassLoader();
            }
        };
    }

    @Override
    public boolean isObjectReuseEnabled() {
        return false;
    }

    @Override
    public <IN> TypeSerializer<IN> createInputSerializer() {
        throw new UnsupportedOperationException();
    }

    @Override
    public OptionalLong getRestoredCheckpointId() {
        return OptionalLong.empty();
    }

    @Override
    public JobInfo getJobInfo() {
        return new JobInfoImpl(new JobID(), "test-job");
    }

    @Override
    public TaskInfo getTaskInfo() {
        return new TaskInfoImpl("test-task", 1, 0, 1, 0);
    }
}
