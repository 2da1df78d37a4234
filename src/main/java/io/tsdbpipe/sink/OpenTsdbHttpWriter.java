package io.tsdbpipe.sink;

import io.tsdbpipe.deadletter.DeadLetterPublisher;
import io.tsdbpipe.deadletter.Reject;
import io.tsdbpipe.point.Origin;
import io.tsdbpipe.point.RejectReason;

import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.sink.throwable.FatalExceptionClassifier;
import org.apache.flink.connector.base.sink.writer.AsyncSinkWriter;
import org.apache.flink.connector.base.sink.writer.BatchCreator;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.DequeRequestBuffer;
import org.apache.flink.connector.base.sink.writer.ElementConverter;
import org.apache.flink.connector.base.sink.writer.ResultHandler;
import org.apache.flink.connector.base.sink.writer.config.AsyncSinkWriterConfiguration;
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
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
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
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;

/**
 * What every writer to an OpenTSDB HTTP endpoint shares (the put writer {@link OpenTsdbSinkWriter}, the annotation
 * writer {@link OpenTsdbAnnotationWriter}): the TSD endpoints with round robin and cool-down, the HTTP client with
 * authentication headers, retries after an exponential backoff with jitter (during which the batch still counts as in
 * flight, so a slow or dead TSD back-pressures the source), the classification of what fails the job, the dead-letter
 * publisher flushed before a checkpoint completes, and the request metrics.
 *
 * <p>A subclass sends each batch the framework hands over as one {@link Call} and ends it through
 * {@link #finish(Call)}: entries it {@link #addRetry added for a retry} are handed back after the backoff, all others
 * count as done (written, or dead-lettered with {@link #deadLetter}).
 */
abstract class OpenTsdbHttpWriter<InputT, EntryT extends Serializable> extends AsyncSinkWriter<InputT, EntryT> {

    private static final Logger LOG = LoggerFactory.getLogger(OpenTsdbHttpWriter.class);

    private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    /**
     * What fails the job at once: an interrupted task. Every answer, and every failure to get one, is decided by
     * {@link OpenTsdbAnswerClassifier}; an endpoint that refuses writes for good fails the job only when it was the
     * last one ({@link #takeOutOfRotation}).
     */
    static final FatalExceptionClassifier FATAL_CLASSIFIER = OpenTsdbAnswerClassifier.FATAL;

    final OpenTsdbWriterSettings settings;
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
            OpenTsdbWriterSettings settings,
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
                context.metricGroup(), metricGroup, unit, inFlight::get, maxRequestBytes, endpoints::refusing);
        this.deadLetters = settings.deadLetterPublisherFactory.create();
    }

    /** How many times the entry was sent and had to be retried (paces the backoff). */
    abstract int attempts(EntryT entry);

    /** The same entry, one failed attempt later. */
    abstract EntryT retried(EntryT entry);

    /**
     * Waits for the batches in flight (including their retry backoff), then for the dead-letter publisher: a checkpoint
     * completes only once every entry OpenTSDB refused is durably in the dead-letter topic.
     */
    @Override
    public void flush(boolean endOfInput) throws InterruptedException {
        super.flush(endOfInput);
        try {
            deadLetters.flush();
        } catch (IOException e) {
            throw new OpenTsdbSinkException(
                    "Could not flush what OpenTSDB refused to the dead-letter publisher", e);
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

    EndpointSelector endpointSelector() {
        return endpoints;
    }

    // ------------------------------------------------------------------------------------------ one batch

    /** One batch from the framework: its handler, and what to hand back for a retry. Thread-safe. */
    static class Call<E> {
        final ResultHandler<E> handler;
        private final List<E> retry = new ArrayList<>();
        private String retryCause;
        private final AtomicBoolean ended = new AtomicBoolean();

        Call(ResultHandler<E> handler) {
            this.handler = handler;
        }
    }

    /** Counts the batch as in flight; end it with {@link #finish} or {@link #completeFatally}. */
    <C extends Call<EntryT>> C begin(C call) {
        inFlight.incrementAndGet();
        return call;
    }

    void addRetry(Call<EntryT> call, List<EntryT> entries, String cause) {
        synchronized (call) {
            call.retry.addAll(entries);
            if (call.retryCause == null) {
                call.retryCause = cause;
            }
        }
    }

    /** Ends the batch: retries after the backoff, or completes at once. */
    void finish(Call<EntryT> call) {
        if (!call.ended.compareAndSet(false, true)) {
            return;
        }
        List<EntryT> retry;
        String cause;
        synchronized (call) {
            retry = new ArrayList<>(call.retry);
            cause = call.retryCause;
        }
        if (retry.isEmpty()) {
            inFlight.decrementAndGet();
            call.handler.complete();
            return;
        }
        int attempt = 1;
        List<EntryT> next = new ArrayList<>(retry.size());
        for (EntryT e : retry) {
            attempt = Math.max(attempt, attempts(e) + 1);
            next.add(retried(e));
        }
        long delayMs = backoff.delayMillis(attempt);
        metrics.retried.inc(next.size());
        logRetry(next.size(), attempt, delayMs, cause);
        try {
            retryScheduler.schedule(() -> {
                inFlight.decrementAndGet();
                call.handler.retryForEntries(next);
            }, delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
            // The writer is closing: nothing will be sent anymore; the last checkpoint still has these entries.
            inFlight.decrementAndGet();
        }
    }

    void completeFatally(Call<EntryT> call, Exception fatal) {
        if (!call.ended.compareAndSet(false, true)) {
            return;
        }
        LOG.error("OpenTSDB sink failing the job: {}", fatal.getMessage());
        inFlight.decrementAndGet();
        call.handler.completeExceptionally(fatal);
    }

    void failUnexpectedly(Call<EntryT> call, Throwable t) {
        if (retryScheduler.isShutdown()) {
            return; // closing: callbacks of cancelled requests land here
        }
        completeFatally(call, new OpenTsdbSinkException("Unexpected failure in the OpenTSDB sink writer", t));
    }

    /**
     * If the failure (an exception or a status) is one no retry fixes, fails the batch and returns true. Callers then
     * stop handling the batch.
     */
    boolean failIfFatal(Call<EntryT> call, Throwable error) {
        AtomicReference<Exception> fatal = new AtomicReference<>();
        if (!FATAL_CLASSIFIER.isFatal(error, fatal::set)) {
            completeFatally(call, fatal.get());
            return true;
        }
        return false;
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

    static boolean isConnectionLost(Throwable error) {
        return error instanceof IOException
                && !(error instanceof ConnectException)
                && !(error instanceof HttpTimeoutException);
    }

    static String describe(Throwable error) {
        String detail = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
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
