package io.tsdbpipe.sink;

import io.tsdbpipe.deadletter.DeadLetterPublisher;
import io.tsdbpipe.deadletter.Reject;
import io.tsdbpipe.point.DataPoint;
import io.tsdbpipe.point.Origin;
import io.tsdbpipe.point.RejectReason;

import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.sink.throwable.FatalExceptionClassifier;
import org.apache.flink.connector.base.sink.writer.AsyncSinkFatalExceptionClassifiers;
import org.apache.flink.connector.base.sink.writer.AsyncSinkWriter;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.DequeRequestBuffer;
import org.apache.flink.connector.base.sink.writer.ElementConverter;
import org.apache.flink.connector.base.sink.writer.ResultHandler;
import org.apache.flink.connector.base.sink.writer.config.AsyncSinkWriterConfiguration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Writes batches of datapoints to OpenTSDB's {@code POST /api/put?details} with {@link HttpClient#sendAsync}.
 *
 * <p>Each batch the framework hands over ends, through its single {@link ResultHandler} call, with every point either
 * acknowledged, refused for good (published as a {@link Reject} to the dead-letter publisher, before the handler is
 * called), or handed back for a retry. A batch may take several requests: the part that does not fit the wire limit,
 * and the halves of a batch refused without per-point details, are sent one after another under the same handler, so
 * the framework's in-flight limit also bounds the HTTP requests.
 *
 * <p>Retries wait for an exponential backoff with jitter before the handler is called ({@code retryForEntries} would
 * re-queue them at once): the batch keeps counting as in flight meanwhile, so a slow or dead TSD back-pressures the
 * source instead of filling memory. The only failures that fail the job are those no retry can fix (see
 * {@link #FATAL_CLASSIFIER}).
 */
class OpenTsdbSinkWriter extends AsyncSinkWriter<DataPoint, OpenTsdbPutEntry> {

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

    private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    /**
     * What fails the job. {@link FatalExceptionClassifier#isFatal} returns false when a rule matched (read it as
     * "isNotFatal"): an interrupted task, an answer that no retry changes (refused credentials, a read-only TSD's or a
     * wrong URL's 404, a redirect, an encoding the receiver does not take), a TLS certificate that does not validate.
     */
    private static final FatalExceptionClassifier FATAL_CLASSIFIER =
            FatalExceptionClassifier.createChain(
                    AsyncSinkFatalExceptionClassifiers.getInterruptedExceptionClassifier(),
                    new FatalExceptionClassifier(
                            err -> err instanceof OpenTsdbSinkException
                                    && isFatalStatus(((OpenTsdbSinkException) err).statusCode()),
                            err -> (OpenTsdbSinkException) err),
                    FatalExceptionClassifier.withRootCauseOfType(
                            GeneralSecurityException.class,
                            err -> new OpenTsdbSinkException(
                                    "The TLS certificate of the OpenTSDB endpoint did not validate: check the https "
                                            + "endpoint's certificate and the JVM's trust store",
                                    err)));

    private final OpenTsdbWriterSettings settings;
    private final RequestSizer sizer;
    private final PutBodyEncoder encoder;
    private final EndpointSelector endpoints;
    private final ExponentialBackoff backoff;
    private final String[] headers;
    private final ExecutorService httpExecutor;
    private final HttpClient httpClient;
    private final ScheduledExecutorService retryScheduler;
    private final DeadLetterPublisher deadLetters;
    private final OpenTsdbSinkMetrics metrics;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final LogLimiter retryLog = new LogLimiter();
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
        super(elementConverter, context, configuration, states, new OpenTsdbBatchCreator(sizer),
                new DequeRequestBuffer<>());
        this.settings = settings;
        this.sizer = sizer;
        this.encoder = new PutBodyEncoder(sizer);
        this.backoff = new ExponentialBackoff(settings.retryInitialBackoff, settings.retryMaxBackoff);
        List<EndpointSelector.Endpoint> list = new ArrayList<>();
        for (String base : settings.endpoints) {
            list.add(new EndpointSelector.Endpoint(base, URI.create(base + settings.putPathAndQuery())));
        }
        this.endpoints = new EndpointSelector(list, settings.endpointCooldown.toNanos(), System::nanoTime);
        this.headers = headers(settings);
        this.httpExecutor = Executors.newCachedThreadPool(daemonThreads("opentsdb-sink-http"));
        this.httpClient = HttpClient.newBuilder()
                // OpenTSDB speaks HTTP/1.1 only; no h2c upgrade attempt on every new connection.
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.requestTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(httpExecutor)
                .build();
        this.retryScheduler = Executors.newSingleThreadScheduledExecutor(daemonThreads("opentsdb-sink-retry"));
        this.metrics = new OpenTsdbSinkMetrics(context.metricGroup(), inFlight::get, sizer::maxWireBytes);
        this.deadLetters = settings.deadLetterPublisherFactory.create();
    }

    @Override
    protected long getSizeInBytes(OpenTsdbPutEntry entry) {
        return Math.min(entry.sizeInBytes(), MAX_ACCOUNTED_ENTRY_BYTES);
    }

    @Override
    protected void submitRequestEntries(
            List<OpenTsdbPutEntry> requestEntries, ResultHandler<OpenTsdbPutEntry> resultHandler) {
        inFlight.incrementAndGet();
        BatchCall call = new BatchCall(resultHandler);
        call.pending.add(requestEntries);
        sendNext(call);
    }

    /**
     * Waits for the batches in flight (including their retry backoff), then for the dead-letter publisher: a checkpoint
     * completes only once every point OpenTSDB refused is durably in the dead-letter topic.
     */
    @Override
    public void flush(boolean endOfInput) throws InterruptedException {
        super.flush(endOfInput);
        try {
            deadLetters.flush();
        } catch (IOException e) {
            throw new OpenTsdbSinkException(
                    "Could not flush the points OpenTSDB refused to the dead-letter publisher", e);
        }
    }

    @Override
    public void close() {
        try {
            retryScheduler.shutdownNow();
            httpExecutor.shutdownNow();
        } finally {
            try {
                deadLetters.close();
            } finally {
                super.close();
            }
        }
    }

    OpenTsdbSinkMetrics metrics() {
        return metrics;
    }

    RequestSizer sizer() {
        return sizer;
    }

    EndpointSelector endpointSelector() {
        return endpoints;
    }

    // ------------------------------------------------------------------------------------------ one batch

    /** One batch from the framework: its handler, the parts still to send, and what to hand back for a retry. */
    private static final class BatchCall {
        final ResultHandler<OpenTsdbPutEntry> handler;
        final ArrayDeque<List<OpenTsdbPutEntry>> pending = new ArrayDeque<>();
        final List<OpenTsdbPutEntry> retry = new ArrayList<>();
        String retryCause;

        BatchCall(ResultHandler<OpenTsdbPutEntry> handler) {
            this.handler = handler;
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
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint.putUri())
                .timeout(settings.requestTimeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (settings.gzip) {
            request.header("Content-Encoding", "gzip");
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        metrics.bytesSent.inc(body.length);
        long start = System.nanoTime();
        httpClient.sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray())
                .whenComplete((response, error) -> {
                    try {
                        long latencyMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                        metrics.requestDone(latencyMs, error == null ? response.statusCode() : -1);
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
                metrics.pointsWritten.inc(sent.size());
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
                statusMessage(status, endpoint, response, body), status, null);
        AtomicReference<Exception> fatal = new AtomicReference<>();
        if (!FATAL_CLASSIFIER.isFatal(failure, fatal::set)) {
            completeFatally(call, fatal.get());
            return false;
        }
        // 408 and 429: the TSD (or a proxy) is alive but busy.
        return retryRest(call, sent, cause);
    }

    /** No HTTP answer: connection refused, reset or closed, or the request timed out. */
    private boolean onNoAnswer(
            BatchCall call, EndpointSelector.Endpoint endpoint, List<OpenTsdbPutEntry> sent, int bodyBytes,
            Throwable error) {
        AtomicReference<Exception> fatal = new AtomicReference<>();
        if (!FATAL_CLASSIFIER.isFatal(error, fatal::set)) {
            completeFatally(call, fatal.get());
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
        metrics.pointsWritten.inc(Math.max(0, sent.size() - failedCount - unmatchedCount));
        if (!retry.isEmpty()) {
            addRetry(call, retry, "OpenTSDB at " + endpoint + " answered for "
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
    private static boolean retryRest(BatchCall call, List<OpenTsdbPutEntry> sent, String cause) {
        List<OpenTsdbPutEntry> retry = new ArrayList<>(sent);
        for (List<OpenTsdbPutEntry> part : call.pending) {
            retry.addAll(part);
        }
        call.pending.clear();
        addRetry(call, retry, cause);
        return true;
    }

    private static void addRetry(BatchCall call, List<OpenTsdbPutEntry> entries, String cause) {
        call.retry.addAll(entries);
        if (call.retryCause == null) {
            call.retryCause = cause;
        }
    }

    /** Ends the batch: retries after the backoff, or completes at once. */
    private void finish(BatchCall call) {
        if (call.retry.isEmpty()) {
            inFlight.decrementAndGet();
            call.handler.complete();
            return;
        }
        int attempt = 1;
        List<OpenTsdbPutEntry> next = new ArrayList<>(call.retry.size());
        for (OpenTsdbPutEntry e : call.retry) {
            attempt = Math.max(attempt, e.attempts() + 1);
            next.add(e.retried());
        }
        long delayMs = backoff.delayMillis(attempt);
        metrics.pointsRetried.inc(next.size());
        logRetry(next.size(), attempt, delayMs, call.retryCause);
        try {
            retryScheduler.schedule(() -> {
                inFlight.decrementAndGet();
                call.handler.retryForEntries(next);
            }, delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
            // The writer is closing: nothing will be sent anymore; the last checkpoint still has these points.
            inFlight.decrementAndGet();
        }
    }

    private void completeFatally(BatchCall call, Exception fatal) {
        LOG.error("OpenTSDB sink failing the job: {}", fatal.getMessage());
        inFlight.decrementAndGet();
        call.handler.completeExceptionally(fatal);
    }

    private void failUnexpectedly(BatchCall call, Throwable t) {
        if (retryScheduler.isShutdown()) {
            return; // closing: callbacks of cancelled requests land here
        }
        completeFatally(call, new OpenTsdbSinkException("Unexpected failure in the OpenTSDB sink writer", t));
    }

    // ------------------------------------------------------------------------------------------ helpers

    private void deadLetter(Origin origin, String item, String message) {
        deadLetters.publish(Reject.of(
                RejectReason.TSDB_REJECTED, message, origin, item, settings.deadLetterMaxItemChars,
                System.currentTimeMillis()));
        metrics.pointsDeadLettered.inc();
    }

    private void markDown(EndpointSelector.Endpoint endpoint, String cause) {
        if (endpoints.markDown(endpoint)) {
            metrics.endpointDownEvents.inc();
            LOG.warn("OpenTSDB endpoint {} taken out of rotation for {} ms after: {}",
                    endpoint, settings.endpointCooldown.toMillis(), cause);
        }
    }

    private void logRetry(int points, int attempt, long delayMs, String cause) {
        long unlogged = retryLog.unloggedIfDue();
        if (unlogged >= 0) {
            LOG.warn("Retrying {} points in {} ms (attempt {}) after: {}{}", points, delayMs, attempt, cause,
                    unlogged == 0 ? "" : " (" + unlogged + " more retries in the last 10 s not logged)");
        }
    }

    /** At most one message per 10 s, so that a dead TSD does not flood the logs; counts the ones left out. */
    private static final class LogLimiter {
        private final AtomicLong next = new AtomicLong(System.nanoTime());
        private final AtomicLong unlogged = new AtomicLong();

        /** The number of messages left out since the last one when this one is due, else -1 (and counts it). */
        long unloggedIfDue() {
            long now = System.nanoTime();
            long due = next.get();
            if (now - due >= 0 && next.compareAndSet(due, now + LOG_INTERVAL_NANOS)) {
                return unlogged.getAndSet(0);
            }
            unlogged.incrementAndGet();
            return -1;
        }
    }

    static boolean isRetryablePointError(String error) {
        for (String retryable : RETRYABLE_POINT_ERRORS) {
            if (error.contains(retryable)) {
                return true;
            }
        }
        return false;
    }

    /** Answers no retry changes: redirects and client errors other than 400 (per point), 408, 413 and 429. */
    static boolean isFatalStatus(int status) {
        return status >= 300 && status < 500 && status != 400 && status != 408 && status != 413 && status != 429;
    }

    private static String statusMessage(
            int status, EndpointSelector.Endpoint endpoint, HttpResponse<byte[]> response, byte[] body) {
        String prefix = "OpenTSDB at " + endpoint + " answered HTTP " + status + " to " + endpoint.putUri().getPath();
        String text = PutResponse.errorMessage(body);
        switch (status) {
            case 401:
            case 403:
                return prefix + ": the credentials were refused; check " + OpenTsdbSinkOptions.AUTH_BASIC_USERNAME.key()
                        + " / " + OpenTsdbSinkOptions.AUTH_HEADER_NAME.key() + " (" + text + ")";
            case 404:
                return prefix + ": a TSD running with tsd.mode=ro (read-only), or an endpoint URL that is not a TSD; "
                        + "no write can succeed there (" + text + ")";
            case 405:
                return prefix + ": method not allowed, the endpoint URL is not OpenTSDB's (" + text + ")";
            case 415:
                return prefix + ": the receiver does not take this request's encoding; set "
                        + OpenTsdbSinkOptions.GZIP.key() + "=false (" + text + ")";
            default:
                if (status < 400) {
                    return prefix + ": redirected to " + response.headers().firstValue("Location").orElse("?")
                            + "; configure the final URL in " + OpenTsdbSinkOptions.ENDPOINTS.key();
                }
                return prefix + ": " + text;
        }
    }

    private static boolean isConnectionLost(Throwable error) {
        return error instanceof IOException
                && !(error instanceof ConnectException)
                && !(error instanceof HttpTimeoutException);
    }

    private static String describe(Throwable error) {
        String detail = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
        if (error instanceof HttpTimeoutException) {
            return "timeout (" + detail + ")";
        }
        if (error instanceof ConnectException) {
            return "connection refused (" + detail + ")";
        }
        return error.getClass().getSimpleName() + ": " + detail;
    }

    private static Throwable unwrap(Throwable error) {
        while ((error instanceof CompletionException || error instanceof ExecutionException)
                && error.getCause() != null) {
            error = error.getCause();
        }
        return error;
    }

    private static String[] headers(OpenTsdbWriterSettings s) {
        List<String> h = new ArrayList<>(4);
        if (s.basicAuthUsername != null) {
            String token = s.basicAuthUsername + ':' + s.basicAuthPassword;
            h.add("Authorization");
            h.add("Basic " + Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8)));
        }
        if (s.authHeaderName != null) {
            h.add(s.authHeaderName);
            h.add(s.authHeaderValue);
        }
        return h.toArray(new String[0]);
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + '-' + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
