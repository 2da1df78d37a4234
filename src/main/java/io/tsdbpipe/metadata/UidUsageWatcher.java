package io.tsdbpipe.metadata;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * Watches how much of each UID kind's id space the TSDs have used. OpenTSDB 2.4 gives every metric name, tag key and
 * tag value a 3-byte UID (16,777,215 ids per kind, unless {@code tsd.storage.uid.width.*} says otherwise); once a kind
 * is used up, every new name of it is refused and the points of new series fail. {@code GET /api/stats} reports, per
 * kind, {@code tsd.uid.ids-used} and {@code tsd.uid.ids-available} (tag {@code kind}: metrics, tagk, tagv), read from
 * the UID table, so TSDs of one cluster report the same figures.
 *
 * <p>{@link #poll()} asks every endpoint at once, asynchronously; the share of a kind is used / (used + available), the
 * highest over the endpoints (the last answer of each counts until it answers again). When a kind reaches
 * {@code warnShare} it logs a warning (again at most every {@link #REPEAT_WARNING}), and once when it is back below.
 * An answer that is not the stats JSON (an HTML page, an empty or truncated body, an error status, no answer) changes
 * nothing and is logged at most once per endpoint and {@link #REPEAT_WARNING}.
 */
public final class UidUsageWatcher {

    private static final Logger LOG = LoggerFactory.getLogger(UidUsageWatcher.class);
    private static final JsonFactory JSON = new JsonFactory();

    public static final List<String> KINDS = List.of("metrics", "tagk", "tagv");
    /** Ids of a 3-byte UID kind (0 is not used), for an answer that gives ids-used only. */
    static final long THREE_BYTE_IDS = (1L << 24) - 1;
    static final long REPEAT_WARNING = Duration.ofHours(1).toMillis();

    /** One kind's figures in one answer. */
    record Usage(long used, long available) {
        double share() {
            long capacity = available >= 0 ? used + available : THREE_BYTE_IDS;
            return capacity <= 0 ? 0d : (double) used / capacity;
        }
    }

    private final List<URI> statsUris;
    private final Map<String, String> headers;
    private final double warnShare;
    private final Duration timeout;
    private final HttpClient http;
    private final LongSupplier clock;
    private final AtomicBoolean polling = new AtomicBoolean();
    /** endpoint -> kind -> the endpoint's last figures. */
    private final Map<URI, Map<String, Usage>> latest = new ConcurrentHashMap<>();
    private final Map<String, Long> warnedAt = new ConcurrentHashMap<>();
    private final Map<URI, Long> failureLoggedAt = new ConcurrentHashMap<>();

    /**
     * @param endpoints TSD base URLs (as {@code sink.opentsdb.endpoints})
     * @param headers sent with every request (the sink's authentication)
     * @param executor runs the HTTP client's work and the answers' handling
     */
    public UidUsageWatcher(List<String> endpoints, Map<String, String> headers, double warnShare, Duration timeout,
            Executor executor, LongSupplier clock) {
        if (!(warnShare > 0 && warnShare <= 1)) {
            throw new IllegalArgumentException("cardinality.uid-warn-share must be in (0, 1], was " + warnShare);
        }
        this.statsUris = new ArrayList<>();
        for (String e : endpoints) {
            statsUris.add(URI.create(e.trim().replaceAll("/+$", "") + "/api/stats"));
        }
        this.headers = Map.copyOf(headers);
        this.warnShare = warnShare;
        this.timeout = timeout;
        this.clock = clock;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .executor(executor)
                .build();
    }

    /** Asks every TSD once; completes when all answered or failed (never exceptionally). A poll in flight: no-op. */
    public CompletableFuture<Void> poll() {
        if (!polling.compareAndSet(false, true)) {
            return CompletableFuture.completedFuture(null);
        }
        List<CompletableFuture<Void>> calls = new ArrayList<>();
        for (URI uri : statsUris) {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).GET();
            headers.forEach(request::header);
            calls.add(http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString())
                    .handle((response, error) -> {
                        answered(uri, response, error);
                        return null;
                    }));
        }
        return CompletableFuture.allOf(calls.toArray(new CompletableFuture<?>[0]))
                .handle((v, e) -> {
                    check();
                    polling.set(false);
                    return null;
                });
    }

    private void answered(URI uri, HttpResponse<String> response, Throwable error) {
        String problem;
        if (error != null) {
            problem = "no answer: " + error;
        } else if (response.statusCode() != 200) {
            problem = "status " + response.statusCode();
        } else {
            Map<String, Usage> usage = parse(response.body());
            if (!usage.isEmpty()) {
                latest.put(uri, usage);
                failureLoggedAt.remove(uri);
                return;
            }
            problem = "no UID figures in the answer (" + Math.min(response.body().length(), 10_000) + " chars)";
        }
        long now = clock.getAsLong();
        Long logged = failureLoggedAt.get(uri);
        if (logged == null || now - logged >= REPEAT_WARNING) {
            failureLoggedAt.put(uri, now);
            LOG.warn("UID watch: {} gave {}; its last figures stand", uri, problem);
        }
    }

    private void check() {
        long now = clock.getAsLong();
        for (String kind : KINDS) {
            double share = share(kind);
            Long warned = warnedAt.get(kind);
            if (share >= warnShare) {
                if (warned == null || now - warned >= REPEAT_WARNING) {
                    warnedAt.put(kind, now);
                    LOG.warn("UID kind {} is {}% used (warning at {}%, cardinality.uid-warn-share): when it is full"
                                    + " the TSDs refuse every new {}; {}", kind, percent(share), percent(warnShare),
                            kind.equals("metrics") ? "metric name" : kind.equals("tagk") ? "tag key" : "tag value",
                            figures(kind));
                }
            } else if (warned != null) {
                warnedAt.remove(kind);
                LOG.info("UID kind {} is {}% used, below the warning share again", kind, percent(share));
            }
        }
    }

    private String figures(String kind) {
        StringBuilder sb = new StringBuilder();
        latest.forEach((uri, usage) -> {
            Usage u = usage.get(kind);
            if (u != null) {
                sb.append(sb.length() == 0 ? "" : ", ").append(uri.getAuthority()).append(": ").append(u.used())
                        .append(" used, ").append(u.available()).append(" available");
            }
        });
        return sb.toString();
    }

    private static String percent(double share) {
        return String.format(java.util.Locale.ROOT, "%.1f", share * 100);
    }

    /** The highest share of the kind's ids used over the TSDs that answered (0 before any answer). */
    public double share(String kind) {
        double max = 0;
        for (Map<String, Usage> usage : latest.values()) {
            Usage u = usage.get(kind);
            if (u != null) {
                max = Math.max(max, u.share());
            }
        }
        return max;
    }

    /** True while the kind is at or above the warning share. */
    public boolean warning(String kind) {
        return share(kind) >= warnShare;
    }

    /**
     * The UID figures of a {@code /api/stats} answer by kind; empty when the body is not such an answer. A kind with
     * ids-used but no ids-available gets available -1 (3-byte capacity assumed).
     */
    static Map<String, Usage> parse(String body) {
        Map<String, long[]> figures = new HashMap<>();
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                return Map.of();
            }
            while (p.nextToken() == JsonToken.START_OBJECT) {
                String metric = null;
                String kind = null;
                long value = -1;
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    JsonToken t = p.nextToken();
                    switch (field) {
                        case "metric":
                            metric = t == JsonToken.VALUE_STRING ? p.getText() : null;
                            break;
                        case "value":
                            value = number(p, t);
                            break;
                        case "tags":
                            if (t == JsonToken.START_OBJECT) {
                                while (p.nextToken() == JsonToken.FIELD_NAME) {
                                    String tag = p.currentName();
                                    p.nextToken();
                                    if (tag.equals("kind")) {
                                        kind = p.getValueAsString();
                                    }
                                    p.skipChildren();
                                }
                            } else {
                                p.skipChildren();
                            }
                            break;
                        default:
                            p.skipChildren();
                    }
                }
                if (kind != null && value >= 0 && metric != null) {
                    int slot = metric.equals("tsd.uid.ids-used") ? 0 : metric.equals("tsd.uid.ids-available") ? 1 : -1;
                    if (slot >= 0) {
                        figures.computeIfAbsent(kind, k -> new long[] {-1, -1})[slot] = value;
                    }
                }
            }
            if (p.currentToken() != JsonToken.END_ARRAY) {
                return Map.of();
            }
        } catch (IOException | RuntimeException e) {
            return Map.of(); // HTML, truncated, not the stats array
        }
        Map<String, Usage> out = new HashMap<>();
        figures.forEach((kind, f) -> {
            if (f[0] >= 0) {
                out.put(kind, new Usage(f[0], f[1]));
            }
        });
        return out;
    }

    /** OpenTSDB writes the values as strings ("16777214"); a number is taken too. -1 if neither. */
    private static long number(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_NUMBER_INT) {
            return p.getLongValue();
        }
        if (t == JsonToken.VALUE_STRING) {
            try {
                return Long.parseLong(p.getText().trim());
            } catch (NumberFormatException e) {
                return -1;
            }
        }
        p.skipChildren();
        return -1;
    }
}
