package io.tsdbpipe.sink;

import io.tsdbpipe.event.Event;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.ElementConverter;
import org.apache.flink.connector.base.sink.writer.ResultHandler;
import org.apache.flink.connector.base.sink.writer.SimpleBatchCreator;
import org.apache.flink.connector.base.sink.writer.config.AsyncSinkWriterConfiguration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;

/**
 * Writes events into the global annotation of their second: for each second of a batch, {@code GET
 * /api/annotation?start_time=S}, {@link AnnotationMerge merge} the new events into what is stored, and {@code POST
 * /api/annotation} the result (nothing when every event is already there: a replay). Seconds of one batch go in
 * parallel; one second is only ever written by one request at a time, because the sink has one batch in flight per
 * subtask (a new one or a retry: the in-flight budget counts both) and its input is partitioned by second (so no two
 * subtasks write the same second). Together with the read-merge-write, no write can drop an event another write
 * stored, also across job restarts and replays.
 *
 * <p>What each answer means is {@link OpenTsdbAnswerClassifier}'s decision. A retry (no answer, 5xx, 408/429, a read
 * that is not an annotation, a write not echoed, and 304: OpenTSDB's compare-and-set lost to a concurrent write) goes
 * into the writer's retry queue and repeats the GET after the backoff, so it merges into the newest stored state; an
 * annotation OpenTSDB refuses (400) dead-letters its new events as {@code tsdb_rejected}; credentials, a read-only TSD
 * and the like take the endpoint out of the rotation, as for the put sink, and fail the job only when no endpoint is
 * left.
 */
class OpenTsdbAnnotationWriter extends OpenTsdbHttpWriter<Event, AnnotationEntry> {

    static final String PATH = "/api/annotation";

    private final AnnotationLimits limits;
    private final Counter annotationsWritten;
    private final Counter eventsOverflowed;

    OpenTsdbAnnotationWriter(
            ElementConverter<Event, AnnotationEntry> elementConverter,
            WriterInitContext context,
            AsyncSinkWriterConfiguration configuration,
            OpenTsdbSinkSettings settings,
            AnnotationLimits limits,
            Collection<BufferedRequestState<AnnotationEntry>> states) {
        super(elementConverter, context, configuration, settings, states,
                new SimpleBatchCreator<>(configuration.getMaxBatchSizeInBytes()), PATH, "annotations", "events",
                null);
        this.limits = limits;
        MetricGroup group = context.metricGroup().addGroup("annotations");
        this.annotationsWritten = group.counter("annotationsWritten", new ThreadSafeSimpleCounter());
        this.eventsOverflowed = group.counter("eventsOverflowed", new ThreadSafeSimpleCounter());
    }

    @Override
    int attempts(AnnotationEntry entry) {
        return entry.attempts();
    }

    @Override
    AnnotationEntry retried(AnnotationEntry entry, long refusedAtMillis) {
        return entry.retried();
    }

    /** Never happens: OpenTSDB refuses an annotation as a whole (400: dead-lettered at once). */
    @Override
    void deadLetterExpired(AnnotationEntry entry, String message) {
        deadLetter(entry.origin(), entry.json(), message);
    }

    /** Capped, so that no event, however large, fails the framework's record limit (the merge overflows it). */
    @Override
    protected long getSizeInBytes(AnnotationEntry entry) {
        return Math.min(entry.sizeInBytes(), OpenTsdbAnnotationSink.MAX_EVENT_BYTES);
    }

    @Override
    Call<AnnotationEntry> newCall(ResultHandler<AnnotationEntry> handler, List<AnnotationEntry> entries) {
        return new Call<>(handler, entries);
    }

    @Override
    void send(Call<AnnotationEntry> call) {
        List<AnnotationEntry> entries = call.entries;
        Map<Long, List<AnnotationEntry>> bySecond = new LinkedHashMap<>();
        for (AnnotationEntry e : entries) {
            bySecond.computeIfAbsent(e.startTime(), s -> new ArrayList<>()).add(e);
        }
        AtomicInteger remaining = new AtomicInteger(bySecond.size());
        try {
            for (Map.Entry<Long, List<AnnotationEntry>> e : bySecond.entrySet()) {
                read(call, e.getKey(), e.getValue(), remaining);
            }
        } catch (Throwable t) {
            failUnexpectedly(call, t);
        }
    }

    /** One second is done (written, retried, or dead-lettered); the batch ends with its last second. */
    private void done(Call<AnnotationEntry> call, AtomicInteger remaining) {
        if (remaining.decrementAndGet() == 0) {
            finish(call);
        }
    }

    private void read(Call<AnnotationEntry> call, long second, List<AnnotationEntry> group, AtomicInteger remaining) {
        EndpointSelector.Endpoint endpoint = endpoints.next();
        URI uri = URI.create(endpoint.uri() + "?start_time=" + second);
        send(request(uri).GET().build(), 0).whenComplete((response, error) -> {
            try {
                Throwable err = unwrap(error);
                OpenTsdbAnswerClassifier.Decision d = err != null
                        ? OpenTsdbAnswerClassifier.noAnswer(endpoint.toString(), group.size(), 0, err)
                        : OpenTsdbAnswerClassifier.annotationRead(endpoint.toString(), group.size(),
                                response.statusCode(), location(response), response.body());
                if (onEndpoint(call, endpoint, d)) {
                    return;
                }
                if (d.verdict == OpenTsdbAnswerClassifier.Verdict.READ) {
                    write(call, endpoint, second, d.stored, group, remaining);
                } else {
                    apply(call, group, d, remaining);
                }
            } catch (Throwable t) {
                failUnexpectedly(call, t);
            }
        });
    }

    private void write(
            Call<AnnotationEntry> call,
            EndpointSelector.Endpoint endpoint,
            long second,
            JsonNode stored,
            List<AnnotationEntry> group,
            AtomicInteger remaining) {
        AnnotationMerge.Result merged = AnnotationMerge.merge(second, stored, group, limits.maxEvents(),
                limits.maxBytes(), settings.maxBatchBytes, this::wireSize);
        if (merged.body == null) {
            metrics.written.inc(merged.alreadyPresent);
            done(call, remaining);
            return;
        }
        byte[] body = settings.gzip ? gzip(merged.body) : merged.body;
        HttpRequest.Builder request = request(endpoint.uri())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (settings.gzip) {
            request.header("Content-Encoding", "gzip");
        }
        send(request.build(), body.length).whenComplete((response, error) -> {
            try {
                Throwable err = unwrap(error);
                OpenTsdbAnswerClassifier.Decision d = err != null
                        ? OpenTsdbAnswerClassifier.noAnswer(endpoint.toString(), group.size(), body.length, err)
                        : OpenTsdbAnswerClassifier.annotationWrite(endpoint.toString(), second, group.size(),
                                response.statusCode(), location(response), response.body());
                if (onEndpoint(call, endpoint, d)) {
                    return;
                }
                if (d.count(OpenTsdbAnswerClassifier.Outcome.WRITTEN) > 0) {
                    annotationsWritten.inc();
                    metrics.written.inc(merged.added.size() + merged.alreadyPresent);
                    eventsOverflowed.inc(merged.overflowed.size());
                    done(call, remaining);
                } else {
                    apply(call, group, d, remaining);
                }
            } catch (Throwable t) {
                failUnexpectedly(call, t);
            }
        });
    }

    /** Dead-letters or retries the events of one second (a retry reads again, so it merges into what is stored then). */
    private void apply(
            Call<AnnotationEntry> call,
            List<AnnotationEntry> group,
            OpenTsdbAnswerClassifier.Decision d,
            AtomicInteger remaining) {
        List<AnnotationEntry> retry = new ArrayList<>();
        for (int i = 0; i < group.size(); i++) {
            if (d.outcome(i) == OpenTsdbAnswerClassifier.Outcome.DEAD_LETTER) {
                // refused for good: the events are not lost, they go to the dead-letter topic with the TSD's text
                deadLetter(group.get(i).origin(), group.get(i).json(), d.message(i));
            } else {
                retry.add(group.get(i));
            }
        }
        if (!retry.isEmpty()) {
            addRetry(call, retry, d.cause);
        }
        done(call, remaining);
    }

    private static String location(HttpResponse<byte[]> response) {
        return response.headers().firstValue("Location").orElse(null);
    }

    private int wireSize(byte[] body) {
        return settings.gzip ? gzip(body).length : body.length;
    }

    private static byte[] gzip(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length / 4 + 64);
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in-memory streams do not fail
        }
        return out.toByteArray();
    }
}
