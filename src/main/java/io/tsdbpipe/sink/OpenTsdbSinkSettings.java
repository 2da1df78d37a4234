package io.tsdbpipe.sink;

import io.tsdbpipe.deadletter.DeadLetterPublisherFactory;

import org.apache.flink.configuration.ReadableConfig;

import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import static org.apache.flink.util.Preconditions.checkArgument;
import static org.apache.flink.util.Preconditions.checkNotNull;

/**
 * How the OpenTSDB sinks talk to the TSDs, beyond the Async Sink framework's limits: endpoints, request size, gzip,
 * sync, timeouts, retries, cool-down, authentication and dead letters. Shared by {@link OpenTsdbSink} and
 * {@link OpenTsdbAnnotationSink}; built and checked by {@link #builder()}. Only the endpoints and the dead-letter
 * publisher factory are required:
 *
 * <pre>{@code
 * OpenTsdbSinkSettings settings = OpenTsdbSinkSettings.builder()
 *         .setEndpoints("http://tsd1:4242", "http://tsd2:4242")
 *         .setDeadLetterPublisherFactory(KafkaDeadLetterPublisher.factory(props, "reports-dead-letter"))
 *         .build();
 * }</pre>
 */
public final class OpenTsdbSinkSettings implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The default of {@code dead-letter.max-item-chars}, a job option outside this package that reads it. */
    public static final int DEFAULT_DEAD_LETTER_MAX_ITEM_CHARS = 16384;

    final List<String> endpoints;
    final int maxBatchBytes;
    final boolean gzip;
    final boolean sync;
    final Duration syncTimeout;
    final Duration requestTimeout;
    final Duration retryInitialBackoff;
    final Duration retryMaxBackoff;
    final Duration maxRetryTime;
    final Duration endpointCooldown;
    final String basicAuthUsername;
    final String basicAuthPassword;
    final String authHeaderName;
    final String authHeaderValue;
    final DeadLetterPublisherFactory deadLetterPublisherFactory;
    final int deadLetterMaxItemChars;

    private OpenTsdbSinkSettings(Builder b, List<String> endpoints) {
        this.endpoints = List.copyOf(endpoints);
        this.maxBatchBytes = b.maxBatchBytes;
        this.gzip = b.gzip;
        this.sync = b.sync;
        this.syncTimeout = b.syncTimeout;
        this.requestTimeout = b.requestTimeout;
        this.retryInitialBackoff = b.retryInitialBackoff;
        this.retryMaxBackoff = b.retryMaxBackoff;
        this.maxRetryTime = b.maxRetryTime;
        this.endpointCooldown = b.endpointCooldown;
        this.basicAuthUsername = b.basicAuthUsername;
        this.basicAuthPassword = b.basicAuthPassword;
        this.authHeaderName = b.authHeaderName;
        this.authHeaderValue = b.authHeaderValue;
        this.deadLetterPublisherFactory = b.deadLetterPublisherFactory;
        this.deadLetterMaxItemChars = b.deadLetterMaxItemChars;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The query of every put: per-point details always (to find refused points), sync when asked for. */
    String putPathAndQuery() {
        return "/api/put?details" + (sync ? "&sync&sync_timeout=" + syncTimeout.toMillis() : "");
    }

    /**
     * The framework's own request timeout is only a safety net (it would re-queue a batch whose handler never got
     * called): the writer times requests out itself, and a batch may take a few requests one after another.
     */
    long frameworkTimeoutMillis() {
        long ms = 10 * (requestTimeout.toMillis() + retryMaxBackoff.toMillis());
        return Math.max(60_000L, ms);
    }

    @Override
    public String toString() {
        // Never the credentials.
        return "endpoints=" + endpoints + ", maxBatchBytes=" + maxBatchBytes + ", gzip=" + gzip + ", sync=" + sync
                + ", requestTimeout=" + requestTimeout + ", auth=" + (basicAuthUsername != null ? "basic"
                : authHeaderName != null ? "header " + authHeaderName : "none");
    }

    /**
     * Builds {@link OpenTsdbSinkSettings}; a setting not given takes the default of its {@link OpenTsdbSinkOptions}
     * option. {@link #build()} checks every setting and names the wrong one.
     */
    public static final class Builder {

        /** Headers the JDK HTTP client sets itself and refuses from callers. */
        private static final Set<String> RESTRICTED_HEADERS = Set.of(
                "connection", "content-length", "expect", "host", "upgrade", "content-encoding", "content-type");

        private List<String> endpoints;
        private int maxBatchBytes = bytes(OpenTsdbSinkOptions.MAX_BATCH_BYTES.defaultValue().getBytes());
        private boolean gzip = OpenTsdbSinkOptions.GZIP.defaultValue();
        private boolean sync = OpenTsdbSinkOptions.SYNC.defaultValue();
        private Duration syncTimeout = OpenTsdbSinkOptions.SYNC_TIMEOUT.defaultValue();
        private Duration requestTimeout = OpenTsdbSinkOptions.REQUEST_TIMEOUT.defaultValue();
        private Duration retryInitialBackoff = OpenTsdbSinkOptions.RETRY_INITIAL_BACKOFF.defaultValue();
        private Duration retryMaxBackoff = OpenTsdbSinkOptions.RETRY_MAX_BACKOFF.defaultValue();
        private Duration maxRetryTime = OpenTsdbSinkOptions.MAX_RETRY_TIME.defaultValue();
        private Duration endpointCooldown = OpenTsdbSinkOptions.ENDPOINT_COOLDOWN.defaultValue();
        private String basicAuthUsername;
        private String basicAuthPassword;
        private String authHeaderName;
        private String authHeaderValue;
        private DeadLetterPublisherFactory deadLetterPublisherFactory;
        private int deadLetterMaxItemChars = DEFAULT_DEAD_LETTER_MAX_ITEM_CHARS;

        private Builder() {}

        /** Takes every {@link OpenTsdbSinkOptions} setting of these settings found in {@code config}. */
        public Builder configure(ReadableConfig config) {
            config.getOptional(OpenTsdbSinkOptions.ENDPOINTS).ifPresent(this::setEndpoints);
            config.getOptional(OpenTsdbSinkOptions.MAX_BATCH_BYTES).ifPresent(m -> setMaxBatchBytes(bytes(m.getBytes())));
            config.getOptional(OpenTsdbSinkOptions.REQUEST_TIMEOUT).ifPresent(this::setRequestTimeout);
            config.getOptional(OpenTsdbSinkOptions.GZIP).ifPresent(this::setGzip);
            config.getOptional(OpenTsdbSinkOptions.SYNC).ifPresent(this::setSync);
            config.getOptional(OpenTsdbSinkOptions.SYNC_TIMEOUT).ifPresent(this::setSyncTimeout);
            config.getOptional(OpenTsdbSinkOptions.RETRY_INITIAL_BACKOFF).ifPresent(this::setRetryInitialBackoff);
            config.getOptional(OpenTsdbSinkOptions.RETRY_MAX_BACKOFF).ifPresent(this::setRetryMaxBackoff);
            config.getOptional(OpenTsdbSinkOptions.MAX_RETRY_TIME).ifPresent(this::setMaxRetryTime);
            config.getOptional(OpenTsdbSinkOptions.ENDPOINT_COOLDOWN).ifPresent(this::setEndpointCooldown);
            String user = config.getOptional(OpenTsdbSinkOptions.AUTH_BASIC_USERNAME).orElse(null);
            String password = config.getOptional(OpenTsdbSinkOptions.AUTH_BASIC_PASSWORD).orElse(null);
            if (user != null || password != null) {
                setBasicAuth(user, password);
            }
            String header = config.getOptional(OpenTsdbSinkOptions.AUTH_HEADER_NAME).orElse(null);
            String value = config.getOptional(OpenTsdbSinkOptions.AUTH_HEADER_VALUE).orElse(null);
            if (header != null || value != null) {
                setAuthHeader(header, value);
            }
            return this;
        }

        /** Base URLs of the TSDs, e.g. {@code http://tsd1:4242}. */
        public Builder setEndpoints(List<String> endpoints) {
            this.endpoints = endpoints;
            return this;
        }

        public Builder setEndpoints(String... endpoints) {
            return setEndpoints(Arrays.asList(endpoints));
        }

        /** Request body bytes on the wire (compressed with gzip); see {@link OpenTsdbSinkOptions#MAX_BATCH_BYTES}. */
        public Builder setMaxBatchBytes(int maxBatchBytes) {
            this.maxBatchBytes = maxBatchBytes;
            return this;
        }

        public Builder setRequestTimeout(Duration requestTimeout) {
            this.requestTimeout = requestTimeout;
            return this;
        }

        public Builder setGzip(boolean gzip) {
            this.gzip = gzip;
            return this;
        }

        public Builder setSync(boolean sync) {
            this.sync = sync;
            return this;
        }

        public Builder setSyncTimeout(Duration syncTimeout) {
            this.syncTimeout = syncTimeout;
            return this;
        }

        public Builder setRetryInitialBackoff(Duration retryInitialBackoff) {
            this.retryInitialBackoff = retryInitialBackoff;
            return this;
        }

        public Builder setRetryMaxBackoff(Duration retryMaxBackoff) {
            this.retryMaxBackoff = retryMaxBackoff;
            return this;
        }

        /** How long a point refused on its own with a retryable error is retried before it is dead-lettered. */
        public Builder setMaxRetryTime(Duration maxRetryTime) {
            this.maxRetryTime = maxRetryTime;
            return this;
        }

        public Builder setEndpointCooldown(Duration endpointCooldown) {
            this.endpointCooldown = endpointCooldown;
            return this;
        }

        /** HTTP basic authentication on every request. */
        public Builder setBasicAuth(String username, String password) {
            this.basicAuthUsername = username;
            this.basicAuthPassword = password;
            return this;
        }

        /** A header sent with every request, e.g. {@code ("Authorization", "Bearer ...")} or an API key. */
        public Builder setAuthHeader(String name, String value) {
            this.authHeaderName = name;
            this.authHeaderValue = value;
            return this;
        }

        /** Creates, in each writer, the publisher that receives what OpenTSDB refuses for good. */
        public Builder setDeadLetterPublisherFactory(DeadLetterPublisherFactory factory) {
            this.deadLetterPublisherFactory = factory;
            return this;
        }

        public Builder setDeadLetterMaxItemChars(int maxItemChars) {
            this.deadLetterMaxItemChars = maxItemChars;
            return this;
        }

        /** The settings; throws {@link IllegalArgumentException} (or NPE for a missing factory) naming the setting. */
        public OpenTsdbSinkSettings build() {
            sanityCheck();
            return new OpenTsdbSinkSettings(this, normalizeEndpoints(endpoints));
        }

        private void sanityCheck() {
            String p = OpenTsdbSinkOptions.PREFIX;
            checkArgument(
                    maxBatchBytes >= RequestSizer.MIN_WIRE_BYTES,
                    "%smax-batch-bytes must be at least %s bytes (a request holds at least one point), was %s",
                    p, RequestSizer.MIN_WIRE_BYTES, maxBatchBytes);
            checkArgument(
                    maxBatchBytes <= Integer.MAX_VALUE / RequestSizer.MAX_GZIP_RATIO,
                    "%smax-batch-bytes is too large: %s", p, maxBatchBytes);
            checkPositive(requestTimeout, "request-timeout");
            checkPositive(retryInitialBackoff, "retry.initial-backoff");
            checkPositive(retryMaxBackoff, "retry.max-backoff");
            checkArgument(
                    retryMaxBackoff.compareTo(retryInitialBackoff) >= 0,
                    "%sretry.max-backoff (%s) must not be below %sretry.initial-backoff (%s)",
                    p, retryMaxBackoff, p, retryInitialBackoff);
            checkPositive(maxRetryTime, "max-retry-time");
            checkArgument(endpointCooldown != null && !endpointCooldown.isNegative(),
                    "%sendpoint-cooldown must not be negative, was %s", p, endpointCooldown);
            if (sync) {
                checkPositive(syncTimeout, "sync-timeout");
                checkArgument(
                        requestTimeout.compareTo(syncTimeout) > 0,
                        "%srequest-timeout (%s) must be longer than %ssync-timeout (%s), or every slow sync write "
                                + "times out on the client first",
                        p, requestTimeout, p, syncTimeout);
            }
            checkArgument((basicAuthUsername == null) == (basicAuthPassword == null),
                    "%sauth.basic.username and %sauth.basic.password must be set together", p, p);
            checkArgument((authHeaderName == null) == (authHeaderValue == null),
                    "%sauth.header.name and %sauth.header.value must be set together", p, p);
            if (authHeaderName != null) {
                checkArgument(!authHeaderName.isBlank()
                                && authHeaderName.chars().allMatch(c -> c > 32 && c < 127 && c != ':'),
                        "%sauth.header.name is not a valid header name: '%s'", p, authHeaderName);
                checkArgument(!RESTRICTED_HEADERS.contains(authHeaderName.toLowerCase(Locale.ROOT)),
                        "%sauth.header.name cannot be '%s': the sink sets that header itself", p, authHeaderName);
                checkArgument(basicAuthUsername == null || !authHeaderName.equalsIgnoreCase("Authorization"),
                        "Set either %sauth.basic.* or an 'Authorization' %sauth.header.*, not both", p, p);
            }
            checkArgument(deadLetterMaxItemChars > 0,
                    "%sdead-letter.max-item-chars must be positive, was %s", p, deadLetterMaxItemChars);
            checkNotNull(deadLetterPublisherFactory,
                    "A dead-letter publisher factory is required: the sink hands it the points OpenTSDB refuses");
        }

        private static int bytes(long bytes) {
            return (int) Math.min(Integer.MAX_VALUE, bytes);
        }
    }

    /** Checks that {@code d} is above zero, naming the option {@code sink.opentsdb.<key>}. */
    static void checkPositive(Duration d, String key) {
        checkArgument(d != null && !d.isNegative() && !d.isZero(),
                "%s%s must be positive, was %s", OpenTsdbSinkOptions.PREFIX, key, d);
    }

    /** Checks each base URL and drops a trailing slash, so that the put URL is {@code base + "/api/put?..."}. */
    static List<String> normalizeEndpoints(List<String> endpoints) {
        String key = OpenTsdbSinkOptions.ENDPOINTS.key();
        checkArgument(endpoints != null && !endpoints.isEmpty(), "%s is required: the base URLs of the TSDs", key);
        List<String> result = new ArrayList<>(endpoints.size());
        for (String raw : endpoints) {
            String s = raw == null ? "" : raw.trim();
            URI uri;
            try {
                uri = new URI(s);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException(key + ": '" + s + "' is not a URL: " + e.getMessage(), e);
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            checkArgument(scheme.equals("http") || scheme.equals("https"),
                    "%s: '%s' must start with http:// or https://", key, s);
            checkArgument(uri.getHost() != null, "%s: '%s' has no host", key, s);
            checkArgument(uri.getRawQuery() == null && uri.getRawFragment() == null,
                    "%s: '%s' must be a base URL without query or fragment (the sink adds /api/put?details)", key, s);
            checkArgument(uri.getRawUserInfo() == null,
                    "%s: '%s' must not carry credentials; use %sauth.basic.*", key, s, OpenTsdbSinkOptions.PREFIX);
            while (s.endsWith("/")) {
                s = s.substring(0, s.length() - 1);
            }
            checkArgument(!s.endsWith("/api/put"),
                    "%s: '%s' must be the TSD's base URL, without /api/put", key, s);
            result.add(s);
        }
        return result;
    }
}
