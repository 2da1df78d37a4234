package io.tsdbpipe.metadata;

import io.tsdbpipe.sink.OpenTsdbSinkOptions;

import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    private final List<String> endpoints;
    private final Map<String, String> headers;
    private final double warnShare;
    private final long intervalMillis;
    private final Duration requestTimeout;

    private transient ExecutorService executor;
    private transient UidUsageWatcher watcher;

    public UidWatchOperator(List<String> endpoints, Map<String, String> headers, double warnShare, Duration interval,
            Duration requestTimeout) {
        this.endpoints = List.copyOf(endpoints);
        this.headers = new LinkedHashMap<>(headers);
        this.warnShare = warnShare;
        this.intervalMillis = interval.toMillis();
        this.requestTimeout = requestTimeout;
    }

    /** The watch as the configuration says (the sink's endpoints and authentication), or null when it is off. */
    public static <T> UidWatchOperator<T> fromConfiguration(ReadableConfig conf) {
        Duration interval = conf.get(UidWatchOptions.CHECK_INTERVAL);
        List<String> endpoints = conf.getOptional(OpenTsdbSinkOptions.ENDPOINTS).orElse(List.of());
        if (interval.isZero() || interval.isNegative() || endpoints.isEmpty()) {
            return null;
        }
        return new UidWatchOperator<>(endpoints, authHeaders(conf), conf.get(UidWatchOptions.WARN_SHARE), interval,
                conf.get(OpenTsdbSinkOptions.REQUEST_TIMEOUT));
    }

    /** The headers the sink authenticates with: basic auth and/or the configured header. */
    static Map<String, String> authHeaders(ReadableConfig conf) {
        Map<String, String> headers = new LinkedHashMap<>();
        conf.getOptional(OpenTsdbSinkOptions.AUTH_BASIC_USERNAME).ifPresent(user -> headers.put("Authorization",
                "Basic " + Base64.getEncoder().encodeToString((user + ":"
                        + conf.getOptional(OpenTsdbSinkOptions.AUTH_BASIC_PASSWORD).orElse(""))
                        .getBytes(StandardCharsets.UTF_8))));
        conf.getOptional(OpenTsdbSinkOptions.AUTH_HEADER_NAME).ifPresent(name ->
                headers.put(name, conf.getOptional(OpenTsdbSinkOptions.AUTH_HEADER_VALUE).orElse("")));
        return headers;
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
        watcher = new UidUsageWatcher(endpoints, headers, warnShare, requestTimeout, executor,
                System::currentTimeMillis);
        MetricGroup group = getMetricGroup().addGroup("uid");
        for (String kind : UidUsageWatcher.KINDS) {
            group.gauge(kind + "UsedShare", (Gauge<Double>) () -> watcher.share(kind));
            group.gauge(kind + "Warning", (Gauge<Integer>) () -> watcher.warning(kind) ? 1 : 0);
        }
        onTimer(getProcessingTimeService().getCurrentProcessingTime());
    }

    private void onTimer(long time) {
        watcher.poll();
        getProcessingTimeService().registerTimer(time + intervalMillis, this::onTimer);
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
