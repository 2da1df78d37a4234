package io.tsdbpipe.metadata;

import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Hosts the {@link UidUsageWatcher} on subtask 0 of a low-volume stream (the records pass through untouched): a
 * processing-time timer starts a poll every {@code interval}; the requests and answers run on one daemon thread of
 * its own, never on the task thread. Gauges (group {@code uid}, subtask 0 only): {@code metricsUsedShare},
 * {@code tagkUsedShare}, {@code tagvUsedShare} (0..1) and {@code metricsWarning}, {@code tagkWarning},
 * {@code tagvWarning} (1 at or above {@code cardinality.uid-warn-share}).
 */
public final class UidWatchOperator<T> extends AbstractStreamOperator<T> implements OneInputStreamOperator<T, T> {

    private static final long serialVersionUID = 1L;

    public static final String UID = "uid-watch";

    private final UidWatchSettings settings;

    private transient ExecutorService executor;
    private transient UidUsageWatcher watcher;

    public UidWatchOperator(UidWatchSettings settings) {
        this.settings = settings;
    }

    /** The watch as the configuration says (the sink's endpoints and authentication), or null when it is off. */
    public static <T> UidWatchOperator<T> fromConfiguration(ReadableConfig conf) {
        return UidWatchSettings.fromConfiguration(conf).<UidWatchOperator<T>>map(UidWatchOperator::new).orElse(null);
    }

    @Override
    public void open() throws Exception {
        super.open();
        if (getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() != 0) {
            return;
        }
        executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "uid-watch");
            t.setDaemon(true);
            return t;
        });
        watcher = new UidUsageWatcher(settings.endpoints(), settings.headers(), settings.warnShare(),
                settings.requestTimeout(), executor, System::currentTimeMillis);
        MetricGroup group = getMetricGroup().addGroup("uid");
        for (String kind : UidUsageWatcher.KINDS) {
            group.gauge(kind + "UsedShare", (Gauge<Double>) () -> watcher.share(kind));
            group.gauge(kind + "Warning", (Gauge<Integer>) () -> watcher.warning(kind) ? 1 : 0);
        }
        onTimer(getProcessingTimeService().getCurrentProcessingTime());
    }

    private void onTimer(long time) {
        watcher.poll();
        getProcessingTimeService().registerTimer(time + settings.interval().toMillis(), this::onTimer);
    }

    @Override
    public void processElement(StreamRecord<T> element) {
        output.collect(element);
    }

    @Override
    public void close() throws Exception {
        if (executor != null) {
            executor.shutdownNow();
        }
        super.close();
    }
}
