package io.tsdbpipe.sink;

import io.tsdbpipe.deadletter.DeadLetterPublisher;
import io.tsdbpipe.deadletter.Reject;
import io.tsdbpipe.deadletter.Origin;
import io.tsdbpipe.deadletter.RejectReason;

import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.sink.writer.AsyncSinkWriter;
import org.apache.flink.connector.base.sink.writer.BatchCreator;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.DequeRequestBuffer;
import org.apache.flink.connector.base.sink.writer.ElementConverter;
import org.apache.flink.connector.base.sink.writer.RequestEntryWrapper;
import org.apache.flink.connector.base.sink.writer.ResultHandler;
import org.apache.flink.connector.base.sink.writer.config.AsyncSinkWriterConfiguration;
import org.apache.flink.util.function.ThrowingRunnable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.Serializable;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

/**
 * What every writer to an OpenTSDB HTTP endpoint shares (the put writer {@link OpenTsdbSinkWriter}, the annotation
 * writer {@link OpenTsdbAnnotationWriter}): the TSD endpoints with round robin and cool-down, the HTTP client with
 * authentication headers, the writer's own retries, the classification of what fails the job, the dead-letter
 * publisher flushed before a checkpoint completes, and the request metrics.
 *
 * <p>A subclass sends each {@link Call} (a batch from the framework, or a retry of the writer's) and ends it through
 * {@link #finish(Call)}: entries it {@link #addRetry added for a retry} (the request failed as a whole) or
 * {@link #addRefused refused one by one} with a retryable error go into the writer's {@link RetryQueue}; all others
 * count as done (written, or dead-lettered with {@link #deadLetter}).
 *
 * <p>Retries are the writer's, not the framework's: a failed batch's call completes at once, so only real HTTP
 * requests are ever in flight (each bounded by the request timeout) and a checkpoint never waits for a backoff. The
 * retry queue is checkpoint state ({@link #snapshotState}: the framework's buffer plus the retry queue, both restored
 * into the buffer). Due retries are sent by the writer on the task thread, counted in the same {@link InFlightBudget}
 * as the framework's batches and ahead of them. A request failing as a whole (no answer, 5xx, 408, 429) starts an
 * outage: new batches are held in the retry queue without a request, and one request at a time probes the TSD after
 * the exponential backoff; its first success ends the outage and everything held is sent. Once the retry queue holds
 * more than its bound, {@link InFlightBudget#shouldBlock} blocks {@code write()}: the source is back-pressured and
 * memory bounded. A point refused on its own with a retryable error is retried for at most
 * {@code sink.opentsdb.max-retry-time}, then dead-lettered; a whole-request failure is retried without a time limit.
 * While the TSDs answer, a checkpoint also sends what is buffered ({@link #flush}), so it holds (almost) no unsent
 * entries.
 */
abstract class OpenTsdbHttpWriter<InputT, EntryT extends Serializable> extends AsyncSinkWriter<InputT, EntryT> {

    private static final Logger LOG = LoggerFactory.getLogger(OpenTsdbHttpWriter.class);

    private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    final OpenTsdbSinkSettings settings;
    final EndpointSelector endpoints;
    final OpenTsdbSinkMetrics metrics;
    private final ExponentialBackoff backoff;
    private final String[] headers;
    private final ExecutorService httpExecutor;
    private final HttpClient httpClient;
    private final ScheduledExecutorService retryScheduler;
    private final DeadLetterPublisher deadLetters;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final LogLimiter retryLog = new LogLimiter();
    private final MailboxExecutor mailbox;
    private final InFlightBudget budget;
    private final int maxBatchSize;
    private final int retryBound;
    private final long maxRetryMillis;

    // Task thread only, from here on.
    private final RetryQueue<EntryT> retries = new RetryQueue<>();
    private final Set<Call<EntryT>> retriesInFlight = Collections.newSetFromMap(new IdentityHashMap<>());
    /** A request failed as a whole and none has succeeded since: new batches wait in the retry queue. */
    private boolean outage;
    private int outageFailures;
    private long nextProbeNanos;
    private boolean probing;
    /** A checkpoint sends what is buffered: the retry queue's bound does not block it. */
    private boolean draining;
    private volatile int awaitingRetry;

    /**
     * @param path the request path and query appended to each endpoint's base URL
     * @param metricGroup the metric group name ({@code opentsdb}, {@code annotations})
     * @param unit what an entry is, in metric names ({@code points}: {@code pointsWritten}, ...)
     * @param maxRequestBytes the current request size limit, for its gauge; null for none
     */
    OpenTsdbHttpWriter(
            ElementConverter<InputT, EntryT> elementConverter,
            WriterInitContext context,
            AsyncSinkWriterConfiguration configuration,
            OpenTsdbSinkSettings settings,
            Collection<BufferedRequestState<EntryT>> states,
            BatchCreator<EntryT> batchCreator,
            String path,
            String metricGroup,
            String unit,
            IntSupplier maxRequestBytes) {
        super(elementConverter, context, configuration, states, batchCreator, new DequeRequestBuffer<>());
        this.settings = settings;
        this.backoff = new ExponentialBackoff(settings.retryInitialBackoff, settings.retryMaxBackoff);
        List<EndpointSelector.Endpoint> list = new ArrayList<>();
        for (String base : settings.endpoints) {
            list.add(new EndpointSelector.Endpoint(base, URI.create(base + path)));
        }
        this.endpoints = new EndpointSelector(list, settings.endpointCooldown.toNanos(), System::nanoTime);
        this.headers = headers(settings);
        this.httpExecutor = Executors.newCachedThreadPool(daemonThreads(metricGroup + "-sink-http"));
        this.httpClient = HttpClient.newBuilder()
                // OpenTSDB speaks HTTP/1.1 only; no h2c upgrade attempt on every new connection.
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.requestTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(httpExecutor)
                .build();
        this.retryScheduler = Executors.newSingleThreadScheduledExecutor(daemonThreads(metricGroup + "-sink-retry"));
        this.metrics = new OpenTsdbSinkMetrics(
                context.metricGroup(), metricGroup, unit, inFlight::get, () -> awaitingRetry, maxRequestBytes,
                endpoints::refusing);
        this.deadLetters = settings.deadLetterPublisherFactory.create();
        this.mailbox = context.getMailboxExecutor();
        this.budget = (InFlightBudget) configuration.getRateLimitingStrategy();
        this.maxBatchSize = configuration.getMaxBatchSize();
        this.retryBound = configuration.getMaxBufferedRequests();
        this.maxRetryMillis = settings.maxRetryTime.toMillis();
        budget.attach(this::holdNewBatches, this::sendDueRetries);
    }

    /** How many times the entry was sent and had to be retried (paces the backoff). */
    abstract int attempts(EntryT entry);

    /**
     * The same entry, one failed attempt later.
     *
     * @param refusedAtMillis when OpenTSDB refused this entry on its own (epoch ms), or 0 when the request failed
     */
    abstract EntryT retried(EntryT entry, long refusedAtMillis);

    /** When OpenTSDB first refused this entry on its own with a retryable error (epoch ms), or 0. */
    long firstRefusalMillis(EntryT entry) {
        return 0;
    }

    /** Dead-letters an entry whose retries took longer than {@code max-retry-time}. */
    abstract void deadLetterExpired(EntryT entry, String message);

    /** A call for a batch ({@code handler}: the framework's, or null for a retry of the writer's). */
    abstract Call<EntryT> newCall(ResultHandler<EntryT> handler, List<EntryT> entries);

    /** Sends the call's entries; the call ends with {@link #finish} or {@link #completeFatally}. */
    abstract void send(Call<EntryT> call);

    /**
     * What a checkpoint (or the end of the input) waits for before the dead-letter publisher is flushed, so that the
     * checkpoint completes only once every entry OpenTSDB refused is durably in the dead-letter topic.
     *
     * <ul>
     *   <li>A checkpoint while the TSDs answer sends every buffered entry first (entries failing now go into the retry
     *       queue, so this always ends) and waits for those requests; in an outage it only waits for the requests in
     *       flight. Either way it returns within about a request timeout of the last request, and what is unsent is
     *       in {@link #snapshotState}.
     *   <li>The end of the input waits until everything is written or dead-lettered, the retry queue included.
     * </ul>
     */
    @Override
    public void flush(boolean endOfInput) throws InterruptedException {
        if (endOfInput) {
            super.flush(true);
            while (!retries.isEmpty() || !retriesInFlight.isEmpty()) {
                sendDueRetries();
                mailbox.yield();
            }
        } else if (!outage) {
            draining = true;
            try {
                super.flush(true);
            } finally {
                draining = false;
            }
        } else {
            super.flush(false);
        }
        try {
            deadLetters.flush();
        } catch (IOException e) {
            throw new OpenTsdbSinkException(
                    "Could not flush what OpenTSDB refused to the dead-letter publisher", e);
        }
    }

    /**
     * The framework's buffer plus every entry the writer holds for a retry (those of retries in flight included: their
     * answer comes after the checkpoint); a restore puts them all into the buffer.
     */
    @Override
    public List<BufferedRequestState<EntryT>> snapshotState(long checkpointId) {
        List<RequestEntryWrapper<EntryT>> unsent = new ArrayList<>();
        for (Call<EntryT> call : retriesInFlight) {
            for (EntryT e : call.entries) {
                unsent.add(new RequestEntryWrapper<>(e, getSizeInBytes(e)));
            }
        }
        for (EntryT e : retries.entries()) {
            unsent.add(new RequestEntryWrapper<>(e, getSizeInBytes(e)));
        }
        for (BufferedRequestState<EntryT> buffered : super.snapshotState(checkpointId)) {
            unsent.addAll(buffered.getBufferedRequestEntries());
        }
        return Collections.singletonList(new BufferedRequestState<>(unsent));
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

    EndpointSelector endpointSelector() {
        return endpoints;
    }

    InFlightBudget budget() {
        return budget;
    }

    // ------------------------------------------------------------------------------------------ one batch

    /** One batch: the framework's (with its handler) or a retry of the writer's; what to retry of it. Thread-safe. */
    static class Call<E> {
        /** The framework's handler, or null for a retry of the writer's. */
        final ResultHandler<E> handler;
        final List<E> entries;
        private final List<E> retry = new ArrayList<>();
        private String retryCause;
        private final List<E> refused = new ArrayList<>();
        private String refusedCause;
        private final AtomicBoolean ended = new AtomicBoolean();
        private boolean probe;

        Call(ResultHandler<E> handler, List<E> entries) {
            this.handler = handler;
            this.entries = entries;
        }
    }

    /** In an outage the batch waits in the retry queue without a request; otherwise it is sent. */
    @Override
    protected void submitRequestEntries(List<EntryT> entries, ResultHandler<EntryT> handler) {
        if (outage) {
            retries.add(entries, nextProbeNanos);
            awaitingRetry = retries.size();
            handler.complete();
            return;
        }
        start(newCall(handler, entries));
    }

    private void start(Call<EntryT> call) {
        inFlight.incrementAndGet();
        try {
            send(call);
        } catch (Throwable t) {
            failUnexpectedly(call, t);
        }
    }

    /** The request failed as a whole (no answer, 5xx, 408, 429): retried without a time limit. */
    void addRetry(Call<EntryT> call, List<EntryT> entries, String cause) {
        synchronized (call) {
            call.retry.addAll(entries);
            if (call.retryCause == null) {
                call.retryCause = cause;
            }
        }
    }

    /** OpenTSDB refused these entries one by one with a retryable error: retried up to max-retry-time. */
    void addRefused(Call<EntryT> call, List<EntryT> entries, String cause) {
        synchronized (call) {
            call.refused.addAll(entries);
            if (call.refusedCause == null) {
                call.refusedCause = cause;
            }
        }
    }

    /** Ends the call (any thread): its retries go into the retry queue, on the task thread. */
    void finish(Call<EntryT> call) {
        if (call.ended.compareAndSet(false, true)) {
            inMailbox(() -> end(call));
        }
    }

    private void end(Call<EntryT> call) {
        inFlight.decrementAndGet();
        List<EntryT> retry;
        List<EntryT> refused;
        String retryCause;
        String refusedCause;
        synchronized (call) {
            retry = new ArrayList<>(call.retry);
            refused = new ArrayList<>(call.refused);
            retryCause = call.retryCause;
            refusedCause = call.refusedCause;
        }
        long now = System.nanoTime();
        budget.requestEnded(!retry.isEmpty() || !refused.isEmpty());
        if (!retry.isEmpty()) {
            List<EntryT> next = new ArrayList<>(retry.size());
            for (EntryT e : retry) {
                next.add(retried(e, 0));
            }
            outageFailures++;
            long delayMs = backoff.delayMillis(outageFailures);
            if (!outage) {
                LOG.warn("OpenTSDB requests fail as a whole ({}): holding new {} until a request succeeds",
                        retryCause, metrics.unit());
            }
            outage = true;
            nextProbeNanos = now + TimeUnit.MILLISECONDS.toNanos(delayMs);
            retries.addFirst(next, nextProbeNanos);
            scheduleRetries(delayMs);
            metrics.retried.inc(next.size());
            logRetry(next.size(), outageFailures, delayMs, retryCause);
        } else {
            if (outage) {
                LOG.info("OpenTSDB takes writes again after {} failed requests; sending the {} {} held",
                        outageFailures, retries.size(), metrics.unit());
                retries.makeAllDue(now);
            }
            outage = false;
            outageFailures = 0;
        }
        if (!refused.isEmpty()) {
            requeueRefused(refused, refusedCause, now);
        }
        awaitingRetry = retries.size();
        if (call.handler != null) {
            call.handler.complete();
        } else {
            retriesInFlight.remove(call);
            if (call.probe) {
                probing = false;
            }
            budget.release(call.entries.size()); // sends due retries
        }
        sendDueRetries();
    }

    private void requeueRefused(List<EntryT> refused, String cause, long nowNanos) {
        long nowMillis = System.currentTimeMillis();
        List<EntryT> next = new ArrayList<>(refused.size());
        int attempt = 1;
        for (EntryT e : refused) {
            long first = firstRefusalMillis(e);
            if (first != 0 && nowMillis - first >= maxRetryMillis) {
                metrics.retryExpired.inc();
                deadLetterExpired(e, "Retried for " + duration(nowMillis - first) + " while OpenTSDB kept refusing "
                        + "it with a retryable error (" + OpenTsdbSinkOptions.MAX_RETRY_TIME.key() + ": "
                        + duration(maxRetryMillis) + "); last error: " + cause);
            } else {
                attempt = Math.max(attempt, attempts(e) + 1);
                next.add(retried(e, nowMillis));
            }
        }
        if (next.isEmpty()) {
            return;
        }
        long delayMs = backoff.delayMillis(attempt);
        retries.add(next, nowNanos + TimeUnit.MILLISECONDS.toNanos(delayMs));
        scheduleRetries(delayMs);
        metrics.retried.inc(next.size());
        logRetry(next.size(), attempt, delayMs, cause);
    }

    /**
     * Sends what is due of the retry queue, within the in-flight budget. In an outage, only one request at a time
     * probes the TSD, with the oldest entries, once the backoff has passed.
     */
    private void sendDueRetries() {
        long now = System.nanoTime();
        while (!retries.isEmpty()) {
            int room;
            if (outage) {
                // One probe at a time, a whole batch of the oldest entries whatever the AIMD budget: a probe of one
                // point that the TSD refuses on its own (poison) would otherwise hold everything behind it.
                room = maxBatchSize;
                if (probing || now - nextProbeNanos < 0 || !budget.hasRequestSlot()) {
                    return;
                }
            } else if (!retries.hasDue(now) || !budget.fits(1)) {
                return;
            } else {
                room = Math.min(maxBatchSize, budget.maxInFlightEntries());
            }
            List<EntryT> batch = retries.take(room, now, outage);
            if (batch.isEmpty()) {
                return;
            }
            awaitingRetry = retries.size();
            Call<EntryT> call = newCall(null, batch);
            call.probe = outage;
            probing |= outage;
            retriesInFlight.add(call);
            budget.acquire(batch.size());
            start(call);
        }
    }

    /**
     * What holds the framework's new batches: due retries go first, and a retry queue over its bound blocks
     * {@code write()} (back-pressure), except while a checkpoint drains the buffer.
     */
    private boolean holdNewBatches() {
        return (!draining && retries.size() > retryBound) || (!outage && retries.hasDue(System.nanoTime()));
    }

    private void scheduleRetries(long delayMs) {
        try {
            retryScheduler.schedule(() -> inMailbox(this::sendDueRetries), delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
            // The writer is closing: nothing will be sent anymore; the last checkpoint still has these entries.
        }
    }

    private void inMailbox(ThrowingRunnable<? extends Exception> action) {
        try {
            mailbox.execute(action, "OpenTSDB writer: requests ended or retries due");
        } catch (RejectedExecutionException | IllegalStateException closing) {
            // The task is closing; the last checkpoint has every entry not written.
        }
    }

    void completeFatally(Call<EntryT> call, Exception fatal) {
        if (!call.ended.compareAndSet(false, true)) {
            return;
        }
        LOG.error("OpenTSDB sink failing the job: {}", fatal.getMessage());
        inFlight.decrementAndGet();
        if (call.handler != null) {
            call.handler.completeExceptionally(fatal);
        } else {
            getFatalExceptionCons().accept(fatal);
        }
    }

    void failUnexpectedly(Call<EntryT> call, Throwable t) {
        if (retryScheduler.isShutdown()) {
            return; // closing: callbacks of cancelled requests land here
        }
        completeFatally(call, new OpenTsdbSinkException("Unexpected failure in the OpenTSDB sink writer", t));
    }

    // ------------------------------------------------------------------------------------------ HTTP

    /** A request to the endpoint's URI (or another URI of the same TSD) with the configured headers. */
    HttpRequest.Builder request(URI uri) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(settings.requestTimeout);
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return request;
    }

    /** Sends a request, counting it in the metrics; the future completes on an HTTP client thread. */
    CompletableFuture<HttpResponse<byte[]>> send(HttpRequest request, int bodyBytes) {
        metrics.bytesSent.inc(bodyBytes);
        long start = System.nanoTime();
        return httpClient.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
                // the request timeout covers the answer's headers only: a body that stalls must end the call too
                .orTimeout(settings.requestTimeout.toMillis() * 2, TimeUnit.MILLISECONDS)
                .whenComplete((response, error) -> metrics.requestDone(
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start),
                        error == null ? response.statusCode() : -1));
    }

    // ------------------------------------------------------------------------------------------ helpers

    void deadLetter(Origin origin, String item, String message) {
        deadLetters.publish(Reject.of(
                RejectReason.TSDB_REJECTED, message, origin, item, settings.deadLetterMaxItemChars,
                System.currentTimeMillis()));
        metrics.deadLettered.inc();
    }

    void markDown(EndpointSelector.Endpoint endpoint, String cause) {
        if (endpoints.markDown(endpoint)) {
            metrics.endpointDownEvents.inc();
            LOG.warn("OpenTSDB endpoint {} taken out of rotation for {} ms after: {}",
                    endpoint, settings.endpointCooldown.toMillis(), cause);
        }
    }

    /**
     * Carries out what an answer means for its endpoint. Returns true when that failed the batch (and the job): the
     * task is being cancelled, or the endpoint refused writes and no endpoint that takes them is left. Callers then
     * stop handling the batch.
     */
    boolean onEndpoint(Call<EntryT> call, EndpointSelector.Endpoint endpoint, OpenTsdbAnswerClassifier.Decision d) {
        if (d.fatal != null) {
            completeFatally(call, d.fatal);
            return true;
        }
        switch (d.endpoint) {
            case UP:
                endpoints.markUp(endpoint);
                return false;
            case COOL_DOWN:
                markDown(endpoint, d.cause);
                return false;
            case REFUSES:
                return takeOutOfRotation(call, endpoint, d);
            default:
                return false;
        }
    }

    /**
     * An endpoint answered what no retry changes: out of the rotation until the task restarts, its entries go to the
     * others. Fails the batch when every endpoint refuses like that.
     */
    private boolean takeOutOfRotation(
            Call<EntryT> call, EndpointSelector.Endpoint endpoint, OpenTsdbAnswerClassifier.Decision d) {
        if (endpoints.takeOut(endpoint)) {
            metrics.endpointRefusals.inc();
            LOG.error("OpenTSDB endpoint {} taken out of rotation until the task restarts ({} of {} endpoints refuse "
                            + "writes now): {}",
                    endpoint, endpoints.refusing(), endpoints.endpoints().size(), d.cause);
        }
        if (endpoints.allRefusing()) {
            completeFatally(call, new OpenTsdbSinkException(
                    "No OpenTSDB endpoint takes writes; the last refusal: " + d.cause, d.status, null));
            return true;
        }
        return false;
    }

    private void logRetry(int entries, int attempt, long delayMs, String cause) {
        long unlogged = retryLog.unloggedIfDue();
        if (unlogged >= 0) {
            LOG.warn("Retrying {} {} in {} ms (attempt {}) after: {}{}", entries, metrics.unit(), delayMs, attempt,
                    cause, unlogged == 0 ? "" : " (" + unlogged + " more retries in the last 10 s not logged)");
        }
    }

    /** At most one message per 10 s, so that a dead TSD does not flood the logs; counts the ones left out. */
    static final class LogLimiter {
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

    private static String duration(long millis) {
        return millis < 10_000 ? millis + " ms" : Duration.ofMillis(millis).toSeconds() + " s";
    }

    static boolean isConnectionLost(Throwable error) {
        return error instanceof IOException
                && !(error instanceof ConnectException)
                && !(error instanceof HttpTimeoutException);
    }

    static String describe(Throwable error) {
        String detail = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
        if (error instanceof java.util.concurrent.TimeoutException) {
            return "timeout (no whole answer within twice the request timeout)";
        }
        if (error instanceof HttpTimeoutException) {
            return "timeout (" + detail + ")";
        }
        if (error instanceof ConnectException) {
            return "connection refused (" + detail + ")";
        }
        return error.getClass().getSimpleName() + ": " + detail;
    }

    static Throwable unwrap(Throwable error) {
        while ((error instanceof CompletionException || error instanceof ExecutionException)
                && error.getCause() != null) {
            error = error.getCause();
        }
        return error;
    }

    private static String[] headers(OpenTsdbSinkSettings s) {
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
