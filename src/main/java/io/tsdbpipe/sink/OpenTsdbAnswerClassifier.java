package io.tsdbpipe.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.connector.base.sink.throwable.FatalExceptionClassifier;
import org.apache.flink.connector.base.sink.writer.AsyncSinkFatalExceptionClassifiers;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Decides what an OpenTSDB answer (or its absence) means, for both writers ({@link OpenTsdbSinkWriter} for {@code POST
 * /api/put?details}, {@link OpenTsdbAnnotationWriter} for {@code GET/POST /api/annotation}): for each entry sent,
 * {@link Outcome#WRITTEN written}, {@link Outcome#RETRY retry} or {@link Outcome#DEAD_LETTER dead-letter} with a
 * message, and for the endpoint, whether it stays in the rotation, cools down or is taken out for good. The writers
 * only carry the decisions out; docs/opentsdb-answers.md has them as a table.
 *
 * <p>The rule: an entry counts as written only when the answer proves it. For a put that is a {@code ?details}
 * summary whose {@code success + failed} equals the points sent and whose every failure is listed and matched to a
 * sent point; any other answer, 2xx included (an HTML page, 204, an empty or truncated body, counts that disagree), is
 * ambiguous and the points are sent again (a point written twice with the same value is harmless in OpenTSDB). Only a
 * point matched to a permanent per-point error is dead-lettered. An answer no retry changes (credentials, a read-only
 * TSD, a wrong URL) takes its endpoint out of the rotation; the job fails only when no endpoint is left.
 */
final class OpenTsdbAnswerClassifier {

    /** What becomes of one entry sent. */
    enum Outcome {
        /** The answer proves it stored. */
        WRITTEN,
        /** Not proven stored, or refused for a reason that passes: send it again after the backoff. */
        RETRY,
        /** Refused for good, for a reason of its own: to the dead-letter topic with the decision's message. */
        DEAD_LETTER
    }

    /** What the answer means for the endpoint that gave it. */
    enum EndpointAction {
        /** It answered like a TSD: (back) in the rotation. */
        UP,
        /** No change: it is alive but busy, or lost a race. */
        KEEP,
        /** It is down or not working for now: out of the rotation for the cool-down. */
        COOL_DOWN,
        /** It answered what no retry changes: out of the rotation until the task restarts; none left fails the job. */
        REFUSES
    }

    /** How the outcomes apply. */
    enum Verdict {
        /** One outcome per entry, from a {@code ?details} summary. */
        PER_POINT,
        /** One outcome for the whole request (and, for a failed put, the parts of its batch not sent yet). */
        WHOLE,
        /** A put refused as a whole, without details: send it again at once, in halves. */
        SPLIT,
        /**
         * A single point refused as a whole, without details: its own fault only if its endpoint took other points of
         * the same batch; settled through {@link #refusedAlone} once the batch is through.
         */
        REFUSED_ALONE,
        /** An annotation read: merge into {@link Decision#stored} (null: none stored yet). */
        READ
    }

    /** The decision about one answer. */
    static final class Decision {
        final Verdict verdict;
        private final Outcome[] outcomes;
        private final String[] messages;
        final EndpointAction endpoint;
        /** Why, for logs, retries and the failure when no endpoint is left. */
        final String cause;
        /** The HTTP status, -1 without an answer. */
        final int status;
        /** When above 0: the request was refused for its size; send at most this many bytes (or less) from now on. */
        final int shrinkFloor;
        /** {@link Verdict#READ}: the stored annotation, or null when there is none. */
        final JsonNode stored;
        /** Fails the job at once (the task is being cancelled). */
        final Exception fatal;

        private Decision(
                Verdict verdict, Outcome[] outcomes, String[] messages, EndpointAction endpoint, String cause,
                int status, int shrinkFloor, JsonNode stored, Exception fatal) {
            this.verdict = verdict;
            this.outcomes = outcomes;
            this.messages = messages;
            this.endpoint = endpoint;
            this.cause = cause;
            this.status = status;
            this.shrinkFloor = shrinkFloor;
            this.stored = stored;
            this.fatal = fatal;
        }

        Outcome outcome(int entry) {
            return outcomes[entry];
        }

        /** The dead-letter message of a {@link Outcome#DEAD_LETTER} entry. */
        String message(int entry) {
            return messages[entry];
        }

        int entries() {
            return outcomes.length;
        }

        int count(Outcome outcome) {
            int n = 0;
            for (Outcome o : outcomes) {
                if (o == outcome) {
                    n++;
                }
            }
            return n;
        }

        @Override
        public String toString() {
            return verdict + " " + Arrays.toString(outcomes) + " endpoint " + endpoint + ": " + cause;
        }
    }

    /**
     * What fails the job at once, whatever the endpoints: an interrupted task. {@link FatalExceptionClassifier#isFatal}
     * returns false when a rule matched (read it as "isNotFatal").
     */
    static final FatalExceptionClassifier FATAL = FatalExceptionClassifier.createChain(
            AsyncSinkFatalExceptionClassifiers.getInterruptedExceptionClassifier());

    /** Failures without an answer that no retry on the same endpoint changes: it is taken out of the rotation. */
    private static final FatalExceptionClassifier ENDPOINT_REFUSES = FatalExceptionClassifier.createChain(
            FatalExceptionClassifier.withRootCauseOfType(
                    GeneralSecurityException.class,
                    err -> new OpenTsdbSinkException(
                            "the TLS certificate of the OpenTSDB endpoint did not validate: check the https "
                                    + "endpoint's certificate and the JVM's trust store",
                            err)));

    /** Per-point errors of a TSD under load or with storage trouble: the point itself is fine, send it again. */
    private static final String[] RETRYABLE_POINT_ERRORS = {
        "Please throttle", "Timeout exception", "Storage exception", "Write timedout"
    };

    static final String PUT_PATH = "/api/put";

    private static final String ANNOTATION_ABSENT = "Unable to locate annotation";

    private static final ObjectMapper JSON = new ObjectMapper();

    private OpenTsdbAnswerClassifier() {}

    // ------------------------------------------------------------------------------------------ no answer

    /** No HTTP answer: connection refused, reset or closed, a timeout, a TLS failure, an interrupt. */
    static Decision noAnswer(String where, int entries, int bodyBytes, Throwable error) {
        AtomicReference<Exception> wrapped = new AtomicReference<>();
        if (!FATAL.isFatal(error, wrapped::set)) {
            return new Decision(Verdict.WHOLE, fill(entries, Outcome.RETRY), null, EndpointAction.KEEP,
                    wrapped.get().getMessage(), -1, 0, null, wrapped.get());
        }
        if (!ENDPOINT_REFUSES.isFatal(error, wrapped::set)) {
            return whole(entries, Outcome.RETRY, EndpointAction.REFUSES, -1,
                    "OpenTSDB at " + where + ": " + wrapped.get().getMessage());
        }
        String cause = OpenTsdbHttpWriter.describe(error) + " from " + where;
        // A TSD with tsd.http.request.enable_chunked but a small max_chunk closes the connection on a body over 8192
        // bytes instead of answering; bodies up to 8192 are never chunked.
        int shrink = OpenTsdbHttpWriter.isConnectionLost(error) && bodyBytes > RequestSizer.TSD_UNCHUNKED_BYTES
                ? RequestSizer.TSD_UNCHUNKED_BYTES : 0;
        return new Decision(Verdict.WHOLE, fill(entries, Outcome.RETRY), null, EndpointAction.COOL_DOWN, cause, -1,
                shrink, null, null);
    }

    // ------------------------------------------------------------------------------------------ /api/put

    /** The answer to {@code POST /api/put?details} for {@code sent} (a body of {@code bodyBytes} on the wire). */
    static Decision put(
            String where, List<OpenTsdbPutEntry> sent, int bodyBytes, int status, String location, byte[] body) {
        int n = sent.size();
        boolean success = status >= 200 && status < 300;
        if (success || status == 400) {
            PutResponse summary = PutResponse.parseDetails(body);
            if (summary != null) {
                return summary(where, sent, status, summary);
            }
            if (success) {
                return whole(n, Outcome.RETRY, EndpointAction.COOL_DOWN, status, "HTTP " + status + " from " + where
                        + " without a ?details summary (" + PutResponse.errorMessage(body)
                        + "): nothing proves which points were stored");
            }
        }
        if (status == 400 || status == 413) {
            String message = "HTTP " + status + ": " + PutResponse.errorMessage(body);
            if (n > 1) {
                return new Decision(Verdict.SPLIT, fill(n, Outcome.RETRY), null, EndpointAction.UP,
                        message + " (from " + where + ")", status, RequestSizer.MIN_WIRE_BYTES, null, null);
            }
            if (bodyBytes > RequestSizer.TSD_UNCHUNKED_BYTES) {
                // One point alone over what a default TSD takes unchunked: splitting cannot help it.
                return new Decision(Verdict.WHOLE, fill(n, Outcome.DEAD_LETTER), fill(n, message), EndpointAction.UP,
                        message, status, 0, null, null);
            }
            return new Decision(Verdict.REFUSED_ALONE, fill(n, Outcome.RETRY), fill(n, message), EndpointAction.UP,
                    message, status, 0, null, null);
        }
        return byStatus(where, PUT_PATH, n, status, location, body);
    }

    /** A {@code ?details} summary (on a 2xx or a 400). */
    private static Decision summary(String where, List<OpenTsdbPutEntry> sent, int status, PutResponse summary) {
        int n = sent.size();
        List<PutResponse.PutError> errors = summary.errors();
        if (summary.success() < 0 || summary.failed() < 0 || summary.success() + summary.failed() != n
                || errors.size() > summary.failed()) {
            return whole(n, Outcome.RETRY, EndpointAction.UP, status, "HTTP " + status + " from " + where
                    + ": a summary that does not add up to the " + n + " points sent (success " + summary.success()
                    + ", failed " + summary.failed() + ", errors listed " + errors.size()
                    + "): nothing proves which points were stored");
        }
        Outcome[] outcomes = new Outcome[n];
        String[] messages = new String[n];
        int[] match = PutErrorMatcher.match(sent, errors);
        // Points not listed are proven stored only if every failure is listed and matched to a sent point.
        boolean unproven = errors.size() < summary.failed();
        String cause = null;
        for (int e = 0; e < errors.size(); e++) {
            String error = errors.get(e).error();
            int i = match[e];
            if (i < 0) {
                unproven = true;
                cause = cause == null ? "a refusal matching no point sent (" + error + ")" : cause;
            } else if (isRetryablePointError(error)) {
                outcomes[i] = Outcome.RETRY;
                cause = cause == null ? error : cause;
            } else {
                outcomes[i] = Outcome.DEAD_LETTER;
                messages[i] = error;
            }
        }
        if (unproven && cause == null) {
            cause = summary.failed() + " failed but " + errors.size() + " listed";
        }
        for (int i = 0; i < n; i++) {
            if (outcomes[i] == null) {
                outcomes[i] = unproven ? Outcome.RETRY : Outcome.WRITTEN;
            }
        }
        return new Decision(Verdict.PER_POINT, outcomes, messages, EndpointAction.UP,
                "OpenTSDB at " + where + " answered HTTP " + status + ": " + (cause == null ? "ok" : cause),
                status, 0, null, null);
    }

    /**
     * A single point refused as a whole, without details ({@link Verdict#REFUSED_ALONE}), settled once its batch is
     * through: the point's own fault when the same endpoint took other points of the batch; otherwise that endpoint
     * refuses every point, which says it is broken, not the points.
     */
    static Decision refusedAlone(String where, String message, boolean endpointTookPoints) {
        if (endpointTookPoints) {
            return new Decision(Verdict.WHOLE, fill(1, Outcome.DEAD_LETTER), fill(1, message), EndpointAction.UP,
                    message, 400, 0, null, null);
        }
        return whole(1, Outcome.RETRY, EndpointAction.COOL_DOWN, 400, "OpenTSDB at " + where
                + " refused every single point of a batch without details (" + message
                + "): the endpoint is not working, the points are sent again");
    }

    static boolean isRetryablePointError(String error) {
        for (String retryable : RETRYABLE_POINT_ERRORS) {
            if (error.contains(retryable)) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------------------------------ /api/annotation

    /** The answer to {@code GET /api/annotation?start_time=S} for the {@code entries} events of that second. */
    static Decision annotationRead(String where, int entries, int status, String location, byte[] body) {
        if (status == 200) {
            JsonNode stored = jsonObject(body);
            if (isAnnotation(stored)) {
                return new Decision(Verdict.READ, fill(entries, Outcome.RETRY), null, EndpointAction.UP, "read",
                        status, 0, stored, null);
            }
        }
        if (status == 404 && PutResponse.errorMessage(body).startsWith(ANNOTATION_ABSENT)) {
            return new Decision(Verdict.READ, fill(entries, Outcome.RETRY), null, EndpointAction.UP, "none stored",
                    status, 0, null, null);
        }
        if (status >= 200 && status < 300 || status == 400 || status == 413) {
            // What is stored is unknown: writing now could drop the events stored there.
            return whole(entries, Outcome.RETRY, EndpointAction.COOL_DOWN, status, "HTTP " + status + " from "
                    + where + " to an annotation read, not an annotation (" + PutResponse.errorMessage(body) + ")");
        }
        return byStatus(where, OpenTsdbAnnotationWriter.PATH, entries, status, location, body);
    }

    /**
     * Whether a JSON object is an annotation as OpenTSDB answers one: a {@code startTime}. Anything else (an error,
     * {@code {}}, a proxy's status object) says nothing about what is stored.
     */
    private static boolean isAnnotation(JsonNode node) {
        return node != null && !node.has("error") && node.path("startTime").isIntegralNumber()
                && node.get("startTime").asLong() > 0;
    }

    /** The answer to {@code POST /api/annotation} of the merged annotation of {@code second}. */
    static Decision annotationWrite(
            String where, long second, int entries, int status, String location, byte[] body) {
        if (status >= 200 && status < 300) {
            JsonNode echo = jsonObject(body);
            // OpenTSDB echoes the annotation it stored: only that proves the write (a proxy's {} or error does not)
            if (isAnnotation(echo) && echo.get("startTime").asLong() == second) {
                return whole(entries, Outcome.WRITTEN, EndpointAction.UP, status, "written");
            }
            // Read, merge and write again: a write that did land is found by the read.
            return whole(entries, Outcome.RETRY, EndpointAction.COOL_DOWN, status, "HTTP " + status + " from "
                    + where + " without the annotation written (" + PutResponse.errorMessage(body) + ")");
        }
        if (status == 304) {
            // OpenTSDB's compare-and-set lost to a concurrent write: read the winner, merge again, write again.
            return whole(entries, Outcome.RETRY, EndpointAction.KEEP, status, "HTTP 304 from " + where
                    + ": the annotation of second " + second + " changed while it was merged; merging again");
        }
        if (status == 400) {
            String message = "OpenTSDB refused the annotation of second " + second + ": HTTP 400: "
                    + PutResponse.errorMessage(body);
            return new Decision(Verdict.WHOLE, fill(entries, Outcome.DEAD_LETTER), fill(entries, message),
                    EndpointAction.UP, message, status, 0, null, null);
        }
        if (status == 413) {
            return whole(entries, Outcome.RETRY, EndpointAction.KEEP, status,
                    "HTTP 413 from " + where + ": " + PutResponse.errorMessage(body));
        }
        return byStatus(where, OpenTsdbAnnotationWriter.PATH, entries, status, location, body);
    }

    // ------------------------------------------------------------------------------------------ by status

    /** Answers that say nothing about single entries: every entry is sent again, somewhere. */
    private static Decision byStatus(String where, String path, int n, int status, String location, byte[] body) {
        if (status >= 500) {
            return whole(n, Outcome.RETRY, EndpointAction.COOL_DOWN, status,
                    "HTTP " + status + " from " + where + ": " + PutResponse.errorMessage(body));
        }
        if (status == 408 || status == 429) {
            // The TSD (or a proxy) is alive but busy.
            return whole(n, Outcome.RETRY, EndpointAction.KEEP, status,
                    "HTTP " + status + " from " + where + ": " + PutResponse.errorMessage(body));
        }
        if (refusesWrites(status)) {
            return whole(n, Outcome.RETRY, EndpointAction.REFUSES, status,
                    refusalMessage(status, where, path, location, body));
        }
        // 1xx, or a 2xx/400/413 the callers did not take: nothing proven.
        return whole(n, Outcome.RETRY, EndpointAction.COOL_DOWN, status,
                "HTTP " + status + " from " + where + ": " + PutResponse.errorMessage(body));
    }

    /** Answers no retry on the same endpoint changes: redirects and client errors other than 400, 408, 413, 429. */
    static boolean refusesWrites(int status) {
        return status >= 300 && status < 500 && status != 400 && status != 408 && status != 413 && status != 429;
    }

    static String refusalMessage(int status, String where, String path, String location, byte[] body) {
        String prefix = "OpenTSDB at " + where + " answered HTTP " + status + " to " + path;
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
                    return prefix + ": redirected to " + (location == null ? "?" : location)
                            + "; configure the final URL in " + OpenTsdbSinkOptions.ENDPOINTS.key();
                }
                return prefix + ": " + text;
        }
    }

    // ------------------------------------------------------------------------------------------ helpers

    private static Decision whole(int n, Outcome outcome, EndpointAction endpoint, int status, String cause) {
        return new Decision(Verdict.WHOLE, fill(n, outcome), null, endpoint, cause, status, 0, null, null);
    }

    private static Outcome[] fill(int n, Outcome outcome) {
        Outcome[] a = new Outcome[n];
        Arrays.fill(a, outcome);
        return a;
    }

    private static String[] fill(int n, String message) {
        String[] a = new String[n];
        Arrays.fill(a, message);
        return a;
    }

    /** The body as a JSON object, or null (empty, HTML, truncated, another JSON value). */
    private static JsonNode jsonObject(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            JsonNode n = JSON.readTree(body);
            return n != null && n.isObject() ? n : null;
        } catch (Exception notJson) {
            return null;
        }
    }
}
