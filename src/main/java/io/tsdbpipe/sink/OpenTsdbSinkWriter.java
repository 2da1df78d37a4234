package io.tsdbpipe.sink;

import io.tsdbpipe.point.DataPoint;

import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.ElementConverter;
import org.apache.flink.connector.base.sink.writer.ResultHandler;
import org.apache.flink.connector.base.sink.writer.config.AsyncSinkWriterConfiguration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes batches of datapoints to OpenTSDB's {@code POST /api/put?details} with {@link java.net.http.HttpClient#sendAsync}.
 *
 * <p>Each batch the framework hands over ends, through its single {@link ResultHandler} call, with every point either
 * acknowledged, refused for good (published as a {@link io.tsdbpipe.deadletter.Reject} to the dead-letter publisher, before the handler is
 * called), or handed back for a retry. A batch may take several requests: the part that does not fit the wire limit,
 * and the halves of a batch refused without per-point details, are sent one after another under the same handler, so
 * the framework's in-flight limit also bounds the HTTP requests.
 *
 * <p>Points to retry go into the writer's retry queue (checkpoint state) and the batch ends at once; see
 * {@link OpenTsdbHttpWriter} for the retries, outages and back-pressure. What each answer means (written, retried,
 * dead-lettered; the endpoint kept, cooled down or taken out; the job failed) is {@link OpenTsdbAnswerClassifier}'s
 * decision; endpoints, retries and metrics are {@link OpenTsdbHttpWriter}'s.
 */
class OpenTsdbSinkWriter extends OpenTsdbHttpWriter<DataPoint, OpenTsdbPutEntry> {

    private static final Logger LOG = LoggerFactory.getLogger(OpenTsdbSinkWriter.class);

    /**
     * The framework sees entry sizes capped at this, so a checkpoint restores whatever max-batch-bytes is configured
     * then (it refuses a restored entry above its record limit). Batching itself uses the real size.
     */
    static final long MAX_ACCOUNTED_ENTRY_BYTES = RequestSizer.MIN_WIRE_BYTES - 1;

    private final RequestSizer sizer;
    private final PutBodyEncoder encoder;

    OpenTsdbSinkWriter(
            ElementConverter<DataPoint, OpenTsdbPutEntry> elementConverter,
            WriterInitContext context,
            AsyncSinkWriterConfiguration configuration,
            OpenTsdbSinkSettings settings,
            Collection<BufferedRequestState<OpenTsdbPutEntry>> states) {
        this(elementConverter, context, configuration, settings, states,
                new RequestSizer(settings.maxBatchBytes, settings.gzip));
    }

    private OpenTsdbSinkWriter(
            ElementConverter<DataPoint, OpenTsdbPutEntry> elementConverter,
            WriterInitContext context,
            AsyncSinkWriterConfiguration configuration,
            OpenTsdbSinkSettings settings,
            Collection<BufferedRequestState<OpenTsdbPutEntry>> states,
            RequestSizer sizer) {
        super(elementConverter, context, configuration, settings, states, new OpenTsdbBatchCreator(sizer),
                settings.putPathAndQuery(), OpenTsdbSinkMetrics.GROUP, "points", sizer::maxWireBytes);
        this.sizer = sizer;
        this.encoder = new PutBodyEncoder(sizer);
    }

    @Override
    int attempts(OpenTsdbPutEntry entry) {
        return entry.attempts();
    }

    @Override
    OpenTsdbPutEntry retried(OpenTsdbPutEntry entry, long refusedAtMillis) {
        return entry.retried(refusedAtMillis);
    }

    @Override
    long firstRefusalMillis(OpenTsdbPutEntry entry) {
        return entry.firstRefusalMillis();
    }

    @Override
    void deadLetterExpired(OpenTsdbPutEntry entry, String message) {
        deadLetter(entry.origin(), entry.json(), message);
    }

    @Override
    protected long getSizeInBytes(OpenTsdbPutEntry entry) {
        return Math.min(entry.sizeInBytes(), MAX_ACCOUNTED_ENTRY_BYTES);
    }

    @Override
    Call<OpenTsdbPutEntry> newCall(ResultHandler<OpenTsdbPutEntry> handler, List<OpenTsdbPutEntry> entries) {
        BatchCall call = new BatchCall(handler, entries);
        call.pending.add(entries);
        return call;
    }

    @Override
    void send(Call<OpenTsdbPutEntry> call) {
        sendNext((BatchCall) call);
    }

    RequestSizer sizer() {
        return sizer;
    }

    // ------------------------------------------------------------------------------------------ one batch

    /** One batch, and the parts of it still to send (one after another). */
    private static final class BatchCall extends Call<OpenTsdbPutEntry> {
        final ArrayDeque<List<OpenTsdbPutEntry>> pending = new ArrayDeque<>();
        /** Endpoints that answered a request of this batch with a {@code ?details} summary. */
        final Set<EndpointSelector.Endpoint> tookPoints = ConcurrentHashMap.newKeySet();
        /** Single points refused as a whole without details, settled when the batch is through. */
        final List<RefusedAlone> refusedAlone = new ArrayList<>();

        BatchCall(ResultHandler<OpenTsdbPutEntry> handler, List<OpenTsdbPutEntry> entries) {
            super(handler, entries);
        }
    }

    private record RefusedAlone(OpenTsdbPutEntry entry, EndpointSelector.Endpoint endpoint, String message) {}

    /** Sends the next part of the batch, or ends the batch when none is left. */
    private void sendNext(BatchCall call) {
        try {
            while (true) {
                List<OpenTsdbPutEntry> part = call.pending.poll();
                if (part == null) {
                    settleRefusedAlone(call);
                    finish(call);
                    return;
                }
                PutBodyEncoder.Encoded encoded = encoder.encode(part);
                if (encoded.count() == 0) {
                    OpenTsdbPutEntry tooBig = part.get(0);
                    deadLetter(tooBig.origin(), tooBig.json(), "The point is larger than "
                            + OpenTsdbSinkOptions.MAX_BATCH_BYTES.key() + " (" + sizer.configuredMaxWireBytes()
                            + " bytes) and cannot be sent");
                    if (part.size() > 1) {
                        call.pending.addFirst(part.subList(1, part.size()));
                    }
                    continue;
                }
                List<OpenTsdbPutEntry> sent = part;
                if (encoded.count() < part.size()) {
                    // The rest goes in the next request of this batch.
                    call.pending.addFirst(new ArrayList<>(part.subList(encoded.count(), part.size())));
                    sent = new ArrayList<>(part.subList(0, encoded.count()));
                }
                send(call, sent, encoded.body());
                return;
            }
        } catch (Throwable t) {
            failUnexpectedly(call, t);
        }
    }

    private void send(BatchCall call, List<OpenTsdbPutEntry> sent, byte[] body) {
        EndpointSelector.Endpoint endpoint = endpoints.next();
        HttpRequest.Builder request = request(endpoint.uri())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (settings.gzip) {
            request.header("Content-Encoding", "gzip");
        }
        send(request.build(), body.length)
                .whenComplete((response, error) -> {
                    try {
                        if (onAnswer(call, endpoint, sent, body.length, response, unwrap(error))) {
                            sendNext(call);
                        }
                    } catch (Throwable t) {
                        failUnexpectedly(call, t);
                    }
                });
    }

    /**
     * Carries out {@link OpenTsdbAnswerClassifier}'s decision about one answer (or its absence).
     *
     * @return true to go on with the next part of the batch, false when the batch has already ended
     */
    private boolean onAnswer(
            BatchCall call,
            EndpointSelector.Endpoint endpoint,
            List<OpenTsdbPutEntry> sent,
            int bodyBytes,
            HttpResponse<byte[]> response,
            Throwable error) {
        OpenTsdbAnswerClassifier.Decision d = error != null
                ? OpenTsdbAnswerClassifier.noAnswer(endpoint.toString(), sent.size(), bodyBytes, error)
                : OpenTsdbAnswerClassifier.put(endpoint.toString(), sent, bodyBytes, response.statusCode(),
                        response.headers().firstValue("Location").orElse(null), response.body());
        if (onEndpoint(call, endpoint, d)) {
            return false;
        }
        if (d.shrinkFloor > 0) {
            shrink(endpoint, bodyBytes, d.shrinkFloor, d.cause);
        }
        switch (d.verdict) {
            case SPLIT:
                int half = sent.size() / 2;
                call.pending.addFirst(new ArrayList<>(sent.subList(half, sent.size())));
                call.pending.addFirst(new ArrayList<>(sent.subList(0, half)));
                return true;
            case REFUSED_ALONE:
                call.refusedAlone.add(new RefusedAlone(sent.get(0), endpoint, d.message(0)));
                return true;
            case PER_POINT:
                call.tookPoints.add(endpoint);
                apply(call, sent, d, false);
                return true;
            default:
                // Nothing was said about single points: a failed request also takes the parts not sent yet along.
                apply(call, sent, d, true);
                return true;
        }
    }

    /** Counts the written, dead-letters the refused, and hands the rest back for a retry. */
    private void apply(BatchCall call, List<OpenTsdbPutEntry> sent, OpenTsdbAnswerClassifier.Decision d,
            boolean retryRest) {
        List<OpenTsdbPutEntry> retry = new ArrayList<>();
        int written = 0;
        for (int i = 0; i < sent.size(); i++) {
            switch (d.outcome(i)) {
                case WRITTEN:
                    written++;
                    break;
                case DEAD_LETTER:
                    deadLetter(sent.get(i).origin(), sent.get(i).json(), d.message(i));
                    break;
                default:
                    retry.add(sent.get(i));
            }
        }
        metrics.written.inc(written);
        if (retryRest && !retry.isEmpty()) {
            for (List<OpenTsdbPutEntry> part : call.pending) {
                retry.addAll(part);
            }
            call.pending.clear();
        }
        if (!retry.isEmpty()) {
            String cause = retry.size() + " of " + sent.size() + " points not proven stored: " + d.cause;
            if (retryRest) {
                addRetry(call, retry, cause);
            } else if (written > 0) {
                // The TSD stored others of the same request: these were refused on their own, and their
                // max-retry-time clock starts (or goes on).
                addRefused(call, retry, cause);
            } else {
                // Nothing of the request stored (e.g. every point "Please throttle", HBase down behind a live TSD):
                // the TSD is in trouble, an outage without a time limit, except for points it singled out before.
                List<OpenTsdbPutEntry> singledOut = new ArrayList<>();
                List<OpenTsdbPutEntry> outage = new ArrayList<>();
                for (OpenTsdbPutEntry e : retry) {
                    (e.firstRefusalMillis() != 0 ? singledOut : outage).add(e);
                }
                if (!singledOut.isEmpty()) {
                    addRefused(call, singledOut, cause);
                }
                if (!outage.isEmpty()) {
                    addRetry(call, outage, cause);
                }
            }
        }
    }

    /** Settles the single points refused as a whole, now that the batch is through. */
    private void settleRefusedAlone(BatchCall call) {
        for (RefusedAlone r : call.refusedAlone) {
            OpenTsdbAnswerClassifier.Decision d = OpenTsdbAnswerClassifier.refusedAlone(
                    r.endpoint().toString(), r.message(), call.tookPoints.contains(r.endpoint()));
            if (d.endpoint == OpenTsdbAnswerClassifier.EndpointAction.COOL_DOWN) {
                markDown(r.endpoint(), d.cause);
            }
            apply(call, List.of(r.entry()), d, false);
        }
        call.refusedAlone.clear();
    }

    private void shrink(EndpointSelector.Endpoint endpoint, int bodyBytes, int floor, String why) {
        int limit = sizer.shrinkAfterRefusal(bodyBytes, floor);
        if (limit > 0) {
            LOG.warn("OpenTSDB at {} refused a {}-byte request ({}); sending at most {} bytes per request from now on. "
                            + "A default TSD takes at most 8192 bytes: set {} to 8192 or less, or set "
                            + "tsd.http.request.enable_chunked=true and tsd.http.request.max_chunk to at least {} on "
                            + "every TSD.",
                    endpoint, bodyBytes, why, limit, OpenTsdbSinkOptions.MAX_BATCH_BYTES.key(),
                    sizer.configuredMaxWireBytes());
        }
    }
}
