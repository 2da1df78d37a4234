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
 * <p>Failures: no answer, 5xx, 408/429 are retried after the backoff, from the writer's retry queue (the GET is
 * repeated, so a retry merges into the newest stored state); an annotation OpenTSDB refuses (400) dead-letters its new events as {@code tsdb_rejected};
 * credentials, a read-only TSD and the like fail the job, as for the put sink.
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
            OpenTsdbWriterSettings settings,
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

    /**
     * Handles a request that got no answer (connection error, timeout): fails the job if that is fatal, else takes the
     * endpoint out of rotation and retries the group. Returns whether there was such an error.
     */
    private boolean failedToAnswer(
            Call<AnnotationEntry> call,
            EndpointSelector.Endpoint endpoint,
            List<AnnotationEntry> group,
            AtomicInteger remaining,
            Throwable error) {
        Throwable err = unwrap(error);
        if (err == null) {
            return false;
        }
        if (!failIfFatal(call, err)) {
            markDown(endpoint, describe(err) + " from " + endpoint);
            addRetry(call, group, describe(err) + " from " + endpoint);
            done(call, remaining);
        }
        return true;
    }

    private void read(Call<AnnotationEntry> call, long second, List<AnnotationEntry> group, AtomicInteger remaining) {
        EndpointSelector.Endpoint endpoint = endpoints.next();
        URI uri = URI.create(endpoint.uri() + "?start_time=" + second);
        send(request(uri).GET().build(), 0).whenComplete((response, error) -> {
            try {
                if (failedToAnswer(call, endpoint, group, remaining, error)) {
                    return;
                }
                int status = response.statusCode();
                JsonNode stored;
                if (status == 200) {
                    endpoints.markUp(endpoint);
                    stored = AnnotationMerge.parse(response.body());
                } else if (status == 404) {
                    // "Unable to locate annotation in storage": nothing at this second yet
                    endpoints.markUp(endpoint);
                    stored = null;
                } else {
                    onFailure(call, endpoint, uri, response, group, remaining);
                    return;
                }
                write(call, endpoint, second, stored, group, remaining);
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
        AnnotationMerge.Result merged = AnnotationMerge.merge(second, stored, group, limits.maxEvents,
                limits.maxBytes, settings.maxBatchBytes, this::wireSize);
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
                if (failedToAnswer(call, endpoint, group, remaining, error)) {
                    return;
                }
                int status = response.statusCode();
                if (status >= 200 && status < 300) {
                    endpoints.markUp(endpoint);
                    annotationsWritten.inc();
                    metrics.written.inc(merged.added.size() + merged.alreadyPresent);
                    eventsOverflowed.inc(merged.overflowed.size());
                    done(call, remaining);
                } else if (status == 400) {
                    // refused for good: the events are not lost, they go to the dead-letter topic with the TSD's text
                    endpoints.markUp(endpoint);
                    String message = "OpenTSDB refused the annotation of second " + second + ": HTTP 400: "
                            + PutResponse.errorMessage(response.body());
                    for (AnnotationEntry e : group) {
                        deadLetter(e.origin(), e.json(), message);
                    }
                    done(call, remaining);
                } else {
                    onFailure(call, endpoint, endpoint.uri(), response, group, remaining);
                }
            } catch (Throwable t) {
                failUnexpectedly(call, t);
            }
        });
    }

    /** Any other answer: fatal ones fail the job, the rest (5xx, 408, 429, odd 4xx) are retried. */
    private void onFailure(
            Call<AnnotationEntry> call,
            EndpointSelector.Endpoint endpoint,
            URI uri,
            HttpResponse<byte[]> response,
            List<AnnotationEntry> group,
            AtomicInteger remaining) {
        int status = response.statusCode();
        OpenTsdbSinkException failure = new OpenTsdbSinkException(
                statusMessage(status, endpoint, uri.getPath(), response, response.body()), status, null);
        if (failIfFatal(call, failure)) {
            return;
        }
        String cause = "HTTP " + status + " from " + endpoint + ": " + PutResponse.errorMessage(response.body());
        if (status >= 500) {
            markDown(endpoint, cause);
        }
        addRetry(call, group, cause);
        done(call, remaining);
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
