package io.tsdbpipe.sink;

import io.tsdbpipe.point.DataPoint;
import io.tsdbpipe.point.Origin;

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

/**
 * Writes batches of datapoints to OpenTSDB's {@code POST /api/put?details} with {@link java.net.http.HttpClient#sendAsync}.
 *
 * <p>Each batch the framework hands over ends, through its single {@link ResultHandler} call, with every point either
 * acknowledged, refused for good (published as a {@link Reject} to the dead-letter publisher, before the handler is
 * called), or handed back for a retry. A batch may take several requests: the part that does not fit the wire limit,
 * and the halves of a batch refused without per-point details, are sent one after another under the same handler, so
 * the framework's in-flight limit also bounds the HTTP requests.
 *
 * <p>Points to retry go into the writer's retry queue (checkpoint state) and the batch ends at once; see
 * {@link OpenTsdbHttpWriter} for the retries, outages and back-pressure. The only failures that fail the job are those
 * no retry can fix (see {@link OpenTsdbHttpWriter#FATAL_CLASSIFIER}); endpoints, retries and metrics are
 * {@link OpenTsdbHttpWriter}'s.
 */
class OpenTsdbSinkWriter extends OpenTsdbHttpWriter<DataPoint, OpenTsdbPutEntry> {

    private static final Logger LOG = LoggerFactory.getLogger(OpenTsdbSinkWriter.class);

    /**
     * The framework sees entry sizes capped at this, so a checkpoint restores whatever max-batch-bytes is configured
     * then (it refuses a restored entry above its record limit). Batching itself uses the real size.
     */
    static final long MAX_ACCOUNTED_ENTRY_BYTES = RequestSizer.MIN_WIRE_BYTES - 1;

    /** Per-point errors of a TSD under load or with storage trouble: the point itself is fine, send it again. */
    private static final String[] RETRYABLE_POINT_ERRORS = {
        "Please throttle", "Timeout exception", "Storage exception", "Write timedout"
    };

    private final RequestSizer sizer;
    private final PutBodyEncoder encoder;
    private final LogLimiter unmatchedLog = new LogLimiter();

    OpenTsdbSinkWriter(
            ElementConverter<DataPoint, OpenTsdbPutEntry> elementConverter,
            WriterInitContext context,
            AsyncSinkWriterConfiguration configuration,
            OpenTsdbWriterSettings settings,
            Collection<BufferedRequestState<OpenTsdbPutEntry>> states) {
        this(elementConverter, context, configuration, settings, states,
                new RequestSizer(settings.maxBatchBytes, settings.gzip));
    }

    private OpenTsdbSinkWriter(
            ElementConverter<DataPoint, OpenTsdbPutEntry> elementConverter,
            WriterInitContext context,
            AsyncSinkWriterConfiguration configuration,
            OpenTsdbWriterSettings settings,
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

        BatchCall(ResultHandler<OpenTsdbPutEntry> handler, List<OpenTsdbPutEntry> entries) {
            super(handler, entries);
        }
    }

    /** Sends the next part of the batch, or ends the batch when none is left. */
    private void sendNext(BatchCall call) {
        try {
            while (true) {
                List<OpenTsdbPutEntry> part = call.pending.poll();
                if (part == null) {
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
     * Handles one answer (or its absence).
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
        if (error != null) {
            return onNoAnswer(call, endpoint, sent, bodyBytes, error);
        }
        int status = response.statusCode();
        byte[] body = response.body();
        if (status >= 200 && status < 300) {
            endpoints.markUp(endpoint);
            PutResponse details = PutResponse.parseDetails(body);
            if (details != null && !details.errors().isEmpty()) {
                onDetails(call, endpoint, sent, details);
            } else {
                metrics.written.inc(sent.size());
            }
            return true;
        }
        if (status == 400 || status == 413) {
            endpoints.markUp(endpoint);
            PutResponse details = status == 400 ? PutResponse.parseDetails(body) : null;
            if (details != null) {
                onDetails(call, endpoint, sent, details);
            } else {
                onRefusedWithoutDetails(call, endpoint, sent, bodyBytes, status, body);
            }
            return true;
        }
        String cause = "HTTP " + status + " from " + endpoint + ": " + PutResponse.errorMessage(body);
        if (status >= 500) {
            markDown(endpoint, cause);
            return retryRest(call, sent, cause);
        }
        OpenTsdbSinkException failure = new OpenTsdbSinkException(
                statusMessage(status, endpoint, endpoint.uri().getPath(), response, body), status, null);
        if (failIfFatal(call, failure)) {
            return false;
        }
        // 408 and 429: the TSD (or a proxy) is alive but busy.
        return retryRest(call, sent, cause);
    }

    /** No HTTP answer: connection refused, reset or closed, or the request timed out. */
    private boolean onNoAnswer(
            BatchCall call, EndpointSelector.Endpoint endpoint, List<OpenTsdbPutEntry> sent, int bodyBytes,
            Throwable error) {
        if (failIfFatal(call, error)) {
            return false;
        }
        String cause = describe(error) + " from " + endpoint;
        markDown(endpoint, cause);
        if (isConnectionLost(error) && bodyBytes > RequestSizer.TSD_UNCHUNKED_BYTES) {
            // A TSD with tsd.http.request.enable_chunked but a small max_chunk closes the connection on a body over
            // 8192 bytes instead of answering; bodies up to 8192 are never chunked.
            shrink(endpoint, bodyBytes, RequestSizer.TSD_UNCHUNKED_BYTES, "closed the connection");
        }
        return retryRest(call, sent, cause);
    }

    /** A 200 or 400 with per-point details: the listed points failed, all others were stored. */
    private void onDetails(
            BatchCall call, EndpointSelector.Endpoint endpoint, List<OpenTsdbPutEntry> sent, PutResponse details) {
        List<PutResponse.PutError> errors = details.errors();
        int[] match = PutErrorMatcher.match(sent, errors);
        boolean[] refused = new boolean[sent.size()];
        List<OpenTsdbPutEntry> retry = new ArrayList<>();
        String retryCause = null;
        boolean unmatchedRetryable = false;
        int failedCount = 0;
        int unmatchedCount = 0;
        for (int e = 0; e < errors.size(); e++) {
            PutResponse.PutError error = errors.get(e);
            boolean retryable = isRetryablePointError(error.error());
            int i = match[e];
            if (i >= 0) {
                failedCount++;
                if (retryable) {
                    retry.add(sent.get(i));
                } else {
                    refused[i] = true;
                    deadLetter(sent.get(i).origin(), sent.get(i).json(), error.error());
                }
            } else if (retryable) {
                unmatchedRetryable = true;
                unmatchedCount++;
            } else {
                unmatchedCount++;
                // Still routed with OpenTSDB's echo, never dropped; without its origin, though.
                long unlogged = unmatchedLog.unloggedIfDue();
                if (unlogged >= 0) {
                    LOG.warn("OpenTSDB at {} refused a point that matches none sent; dead-lettering its echo {}: {} "
                                    + "({} more in the last 10 s not logged)",
                            endpoint, error.datapointJson(), error.error(), unlogged);
                }
                deadLetter(Origin.NONE, error.datapointJson(), error.error());
            }
            if (retryable && retryCause == null) {
                retryCause = error.error();
            }
        }
        if (unmatchedRetryable) {
            // Which point to retry is unknown: resend all but the refused ones. A stored point written again with
            // the same value is harmless in OpenTSDB.
            retry.clear();
            for (int i = 0; i < sent.size(); i++) {
                if (!refused[i]) {
                    retry.add(sent.get(i));
                }
            }
        }
        metrics.written.inc(Math.max(0, sent.size() - failedCount - unmatchedCount));
        if (!retry.isEmpty()) {
            addRefused(call, retry, "OpenTSDB at " + endpoint + " answered for "
                    + retry.size() + " of " + sent.size() + " points: " + retryCause);
        }
    }

    /**
     * A 400 without per-point details (e.g. the HTML page "Chunked request not supported.") or a 413: the body was
     * refused as a whole. Halves are sent instead, down to single points; a single point refused like that is
     * dead-lettered with the TSD's text, since splitting cannot help it.
     */
    private void onRefusedWithoutDetails(
            BatchCall call, EndpointSelector.Endpoint endpoint, List<OpenTsdbPutEntry> sent, int bodyBytes,
            int status, byte[] body) {
        String message = "HTTP " + status + ": " + PutResponse.errorMessage(body);
        if (sent.size() == 1) {
            OpenTsdbPutEntry only = sent.get(0);
            deadLetter(only.origin(), only.json(), message);
            return;
        }
        shrink(endpoint, bodyBytes, RequestSizer.MIN_WIRE_BYTES, message);
        int half = sent.size() / 2;
        call.pending.addFirst(new ArrayList<>(sent.subList(half, sent.size())));
        call.pending.addFirst(new ArrayList<>(sent.subList(0, half)));
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

    /** The request failed as a whole: retry it and every part not sent yet (this TSD is unlikely to take them now). */
    private boolean retryRest(BatchCall call, List<OpenTsdbPutEntry> sent, String cause) {
        List<OpenTsdbPutEntry> retry = new ArrayList<>(sent);
        for (List<OpenTsdbPutEntry> part : call.pending) {
            retry.addAll(part);
        }
        call.pending.clear();
        addRetry(call, retry, cause);
        return true;
    }

    static boolean isRetryablePointError(String error) {
        for (String retryable : RETRYABLE_POINT_ERRORS) {
            if (error.contains(retryable)) {
                return true;
            }
        }
        return false;
    }
}
