package io.tsdbpipe.gateway;

import io.tsdbpipe.job.CommandLineArgs;
import io.tsdbpipe.job.FlatYaml;

import io.tsdbpipe.channel.StaticChannelParser;
import io.tsdbpipe.channel.StaticChannels;


import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The gateway's configuration: a YAML file ({@code --config FILE}, nested or flat keys, default
 * {@code flink-conf/gateway.yaml} when it exists) and {@code --dotted.key value} overrides. Every key is documented in
 * README.md ("HTTP report gateway"); an unknown key or a value that does not parse fails at start, naming the key.
 * Plain Jackson, no Flink: the gateway runs without Flink on its classpath. Immutable.
 */
public final class GatewaySettings {

    public static final String DEFAULT_CONFIG_FILE = "flink-conf/gateway.yaml";

    public static final String BIND_HOST = "gateway.bind-host";
    public static final String HTTP_PORT = "gateway.http-port";
    public static final String FLUME_PORT = "gateway.flume-port";
    public static final String MAX_BODY_SIZE = "gateway.max-body-size";
    public static final String MAX_DECOMPRESSED_SIZE = "gateway.max-decompressed-size";
    public static final String MAX_PENDING_REQUESTS = "gateway.max-pending-requests";
    public static final String IO_THREADS = "gateway.io-threads";
    public static final String RETRY_AFTER = "gateway.retry-after";
    // connection and memory bounds (review findings 1-3)
    public static final String MAX_PENDING_BYTES = "gateway.max-pending-bytes";
    public static final String MAX_CONNECTIONS = "gateway.max-connections";
    public static final String IDLE_TIMEOUT = "gateway.idle-timeout";
    public static final String REQUEST_TIMEOUT = "gateway.request-timeout";
    public static final String KAFKA_BOOTSTRAP_SERVERS = "kafka.bootstrap-servers";
    public static final String KAFKA_TOPIC = "kafka.topic";
    public static final String KAFKA_ACK_TIMEOUT = "kafka.ack-timeout";
    public static final String KAFKA_BUFFER_SIZE = "kafka.buffer-size";
    public static final String KAFKA_LINGER = "kafka.linger";
    public static final String KAFKA_PROPERTIES_PREFIX = "kafka.properties.";
    public static final String CHANNELS_TOPIC = "channels.topic";
    public static final String CHANNELS_BOOTSTRAP_SERVERS = "channels.bootstrap-servers";
    /** The job's static channels ({@code channels.static.<data_id>.<field>}, read as the job reads them). */
    public static final String STATIC_CHANNELS_PREFIX = "channels.static.";
    public static final String DEFAULT_REQUESTS_PER_SECOND = "rate-limits.default.requests-per-second";
    public static final String DEFAULT_DATAPOINTS_PER_SECOND = "rate-limits.default.datapoints-per-second";
    public static final String CHANNEL_LIMITS_PREFIX = "rate-limits.channels.";

    /** Every fixed key with its default (null: none); the prefixed keys come on top. */
    static final Map<String, String> DEFAULTS = defaultValues();

    private static final Pattern CHANNEL_LIMIT_KEY =
            Pattern.compile(Pattern.quote(CHANNEL_LIMITS_PREFIX) + "(\\d+)\\.(requests-per-second|datapoints-per-second)");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([a-z]*)");
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*([a-z]*)");

    private final String bindHost;
    private final int httpPort;
    private final int flumePort;
    private final int maxBodySize;
    private final long maxDecompressedSize;
    private final int maxPendingRequests;
    private final int ioThreads;
    private final Duration retryAfter;
    private final long maxPendingBytes;
    private final int maxConnections;
    private final Duration idleTimeout;
    private final Duration requestTimeout;
    private final String kafkaBootstrapServers;
    private final String kafkaTopic;
    private final Duration kafkaAckTimeout;
    private final long kafkaBufferSize;
    private final Duration kafkaLinger;
    private final Map<String, String> kafkaProperties;
    private final String channelsTopic;
    private final String channelsBootstrapServers;
    private final StaticChannels staticChannels;
    private final RateLimit defaultRateLimit;
    private final Map<Long, RateLimit> channelRateLimits;

    private GatewaySettings(Map<String, String> v) {
        bindHost = nonEmpty(v, BIND_HOST);
        httpPort = port(v, HTTP_PORT);
        flumePort = port(v, FLUME_PORT);
        long body = size(v, MAX_BODY_SIZE);
        if (body > Integer.MAX_VALUE) {
            throw invalid(MAX_BODY_SIZE, v.get(MAX_BODY_SIZE), "at most 2 gb");
        }
        maxBodySize = (int) body;
        maxDecompressedSize = size(v, MAX_DECOMPRESSED_SIZE);
        if (maxDecompressedSize > Integer.MAX_VALUE - 8) {
            throw invalid(MAX_DECOMPRESSED_SIZE, v.get(MAX_DECOMPRESSED_SIZE), "at most 2 gb");
        }
        maxPendingRequests = intAtLeast(v, MAX_PENDING_REQUESTS, 1);
        ioThreads = intAtLeast(v, IO_THREADS, 0);
        retryAfter = duration(v, RETRY_AFTER);
        if (retryAfter.isZero()) {
            throw invalid(RETRY_AFTER, v.get(RETRY_AFTER), "must be positive (the Retry-After of 429 and 503 answers)");
        }
        maxPendingBytes = size(v, MAX_PENDING_BYTES);
        if (maxPendingBytes < maxDecompressedSize) {
            throw invalid(MAX_PENDING_BYTES, v.get(MAX_PENDING_BYTES),
                    "must be at least " + MAX_DECOMPRESSED_SIZE + " (else a request of that size is never taken)");
        }
        maxConnections = intAtLeast(v, MAX_CONNECTIONS, 1);
        idleTimeout = duration(v, IDLE_TIMEOUT);
        requestTimeout = duration(v, REQUEST_TIMEOUT);
        if (idleTimeout.isZero() || requestTimeout.isZero()) {
            String key = idleTimeout.isZero() ? IDLE_TIMEOUT : REQUEST_TIMEOUT;
            throw invalid(key, v.get(key), "must be positive");
        }
        kafkaBootstrapServers = nonEmpty(v, KAFKA_BOOTSTRAP_SERVERS);
        kafkaTopic = nonEmpty(v, KAFKA_TOPIC);
        kafkaAckTimeout = duration(v, KAFKA_ACK_TIMEOUT);
        if (kafkaAckTimeout.isZero()) {
            throw invalid(KAFKA_ACK_TIMEOUT, v.get(KAFKA_ACK_TIMEOUT), "must be positive");
        }
        kafkaBufferSize = size(v, KAFKA_BUFFER_SIZE);
        kafkaLinger = duration(v, KAFKA_LINGER);
        Map<String, String> props = new TreeMap<>();
        v.forEach((key, value) -> {
            if (key.startsWith(KAFKA_PROPERTIES_PREFIX) && key.length() > KAFKA_PROPERTIES_PREFIX.length()) {
                props.put(key.substring(KAFKA_PROPERTIES_PREFIX.length()), value);
            }
        });
        kafkaProperties = Collections.unmodifiableMap(props);
        channelsTopic = nonEmpty(v, CHANNELS_TOPIC);
        String channelServers = v.get(CHANNELS_BOOTSTRAP_SERVERS);
        channelsBootstrapServers =
                channelServers == null || channelServers.isBlank() ? kafkaBootstrapServers : channelServers.trim();
        // the job's parser; max-future is the job's business (the gateway does not look at timestamps): not read
        staticChannels = StaticChannelParser.parse(v, STATIC_CHANNELS_PREFIX, maxFuture -> -1L);
        defaultRateLimit = new RateLimit(rate(v, DEFAULT_REQUESTS_PER_SECOND), rate(v, DEFAULT_DATAPOINTS_PER_SECOND));
        Map<Long, RateLimit> limits = new TreeMap<>();
        v.forEach((key, value) -> {
            Matcher m = CHANNEL_LIMIT_KEY.matcher(key);
            if (m.matches()) {
                long dataId = parseDataId(key, m.group(1));
                RateLimit current = limits.getOrDefault(dataId, defaultRateLimit);
                double r = rate(v, key);
                limits.put(dataId, m.group(2).equals("requests-per-second")
                        ? new RateLimit(r, current.datapointsPerSecond())
                        : new RateLimit(current.requestsPerSecond(), r));
            }
        });
        channelRateLimits = Collections.unmodifiableMap(limits);
    }

    /** The defaults of every key. */
    public static GatewaySettings defaults() {
        return of(Map.of());
    }

    /** Validates flat dotted keys (on top of the defaults). */
    public static GatewaySettings of(Map<String, String> values) {
        Map<String, String> all = new LinkedHashMap<>();
        DEFAULTS.forEach((k, v) -> {
            if (v != null) {
                all.put(k, v);
            }
        });
        for (Map.Entry<String, String> e : values.entrySet()) {
            String key = e.getKey();
            if (!isKnown(key)) {
                throw new IllegalArgumentException("Unknown gateway configuration key '" + key + "'"
                        + " (see README.md, HTTP report gateway; known keys: " + String.join(", ", DEFAULTS.keySet())
                        + ", " + KAFKA_PROPERTIES_PREFIX + "*, " + CHANNEL_LIMITS_PREFIX
                        + "<data_id>.requests-per-second / .datapoints-per-second, " + STATIC_CHANNELS_PREFIX
                        + "<data_id>.*)");
            }
            if (e.getValue() == null) {
                throw new IllegalArgumentException("Missing value for gateway configuration key '" + key + "'");
            }
            all.put(key, e.getValue().trim());
        }
        return new GatewaySettings(all);
    }

    /**
     * Parses {@code [--config FILE] [--key value | --key=value]...}: the file first (default
     * {@value #DEFAULT_CONFIG_FILE} if it exists), then the overrides in any order.
     */
    public static GatewaySettings fromArgs(String[] args) throws IOException {
        Path config = null;
        Map<String, String> overrides = new LinkedHashMap<>();
        for (Map.Entry<String, String> arg : CommandLineArgs.parse(args)) {
            if (arg.getKey().equals("config")) {
                config = Path.of(arg.getValue());
            } else {
                overrides.put(arg.getKey(), arg.getValue());
            }
        }
        Map<String, String> values = new LinkedHashMap<>();
        if (config != null) {
            values.putAll(FlatYaml.read(config, "gateway configuration file", false));
        } else if (Files.isRegularFile(Path.of(DEFAULT_CONFIG_FILE))) {
            values.putAll(FlatYaml.read(Path.of(DEFAULT_CONFIG_FILE), "gateway configuration file", false));
        }
        values.putAll(overrides);
        return of(values);
    }


    private static boolean isKnown(String key) {
        return DEFAULTS.containsKey(key)
                || (key.startsWith(KAFKA_PROPERTIES_PREFIX) && key.length() > KAFKA_PROPERTIES_PREFIX.length())
                || CHANNEL_LIMIT_KEY.matcher(key).matches()
                || key.startsWith(STATIC_CHANNELS_PREFIX);
    }

    private static Map<String, String> defaultValues() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put(BIND_HOST, "127.0.0.1");
        d.put(HTTP_PORT, "10205");
        d.put(FLUME_PORT, "7777");
        d.put(MAX_BODY_SIZE, "500 kb");
        d.put(MAX_DECOMPRESSED_SIZE, "1 mb");
        d.put(MAX_PENDING_REQUESTS, "10000");
        d.put(IO_THREADS, "0");
        d.put(RETRY_AFTER, "1 s");
        d.put(MAX_PENDING_BYTES, "256 mb");
        d.put(MAX_CONNECTIONS, "10000");
        d.put(IDLE_TIMEOUT, "60 s");
        d.put(REQUEST_TIMEOUT, "30 s");
        d.put(KAFKA_BOOTSTRAP_SERVERS, "127.0.0.1:9092");
        d.put(KAFKA_TOPIC, "reports");
        d.put(KAFKA_ACK_TIMEOUT, "10 s");
        d.put(KAFKA_BUFFER_SIZE, "64 mb");
        d.put(KAFKA_LINGER, "2 ms");
        d.put(CHANNELS_TOPIC, "report-channels");
        d.put(CHANNELS_BOOTSTRAP_SERVERS, null); // kafka.bootstrap-servers
        d.put(DEFAULT_REQUESTS_PER_SECOND, "1000");
        d.put(DEFAULT_DATAPOINTS_PER_SECOND, "100000");
        return Collections.unmodifiableMap(d);
    }

    // ---- value parsing

    /** {@code 500 kb}, {@code 8 mb}, {@code 1024} (bytes); units b, kb, mb, gb (powers of 1024). */
    static long parseSize(String text) {
        Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("expected a size such as '500 kb' or '8 mb'");
        }
        long unit;
        switch (m.group(2)) {
            case "":
            case "b":
            case "bytes":
                unit = 1;
                break;
            case "k":
            case "kb":
                unit = 1L << 10;
                break;
            case "m":
            case "mb":
                unit = 1L << 20;
                break;
            case "g":
            case "gb":
                unit = 1L << 30;
                break;
            default:
                throw new IllegalArgumentException("unknown size unit '" + m.group(2) + "' (b, kb, mb, gb)");
        }
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), unit);
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("too large");
        }
    }

    /** {@code 10 s}, {@code 5 ms}, {@code 1 min}, {@code 1 h}; a bare number is milliseconds (as in the job). */
    static Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("expected a duration such as '10 s' or '5 ms'");
        }
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("too large");
        }
        switch (m.group(2)) {
            case "":
            case "ms":
                return Duration.ofMillis(n);
            case "s":
            case "sec":
            case "second":
            case "seconds":
                return Duration.ofSeconds(n);
            case "min":
            case "minute":
            case "minutes":
                return Duration.ofMinutes(n);
            case "h":
            case "hour":
            case "hours":
                return Duration.ofHours(n);
            default:
                throw new IllegalArgumentException("unknown duration unit '" + m.group(2) + "' (ms, s, min, h)");
        }
    }

    private static IllegalArgumentException invalid(String key, String value, String why) {
        return new IllegalArgumentException(
                "Invalid value '" + value + "' for gateway configuration key '" + key + "': " + why);
    }

    private static String nonEmpty(Map<String, String> v, String key) {
        String s = v.get(key);
        if (s == null || s.isBlank()) {
            throw invalid(key, s, "must not be empty");
        }
        return s.trim();
    }

    private static int port(Map<String, String> v, String key) {
        int p = intAtLeast(v, key, 0);
        if (p > 65535) {
            throw invalid(key, v.get(key), "a port is 0..65535 (0: any free port)");
        }
        return p;
    }

    private static int intAtLeast(Map<String, String> v, String key, int min) {
        int n;
        try {
            n = Integer.parseInt(v.get(key));
        } catch (NumberFormatException e) {
            throw invalid(key, v.get(key), "expected a whole number");
        }
        if (n < min) {
            throw invalid(key, v.get(key), "must be at least " + min);
        }
        return n;
    }

    private static long size(Map<String, String> v, String key) {
        long n;
        try {
            n = parseSize(v.get(key));
        } catch (IllegalArgumentException e) {
            throw invalid(key, v.get(key), e.getMessage());
        }
        if (n <= 0) {
            throw invalid(key, v.get(key), "must be positive");
        }
        return n;
    }

    private static Duration duration(Map<String, String> v, String key) {
        try {
            return parseDuration(v.get(key));
        } catch (IllegalArgumentException e) {
            throw invalid(key, v.get(key), e.getMessage());
        }
    }

    private static double rate(Map<String, String> v, String key) {
        double r;
        try {
            r = Double.parseDouble(v.get(key));
        } catch (NumberFormatException e) {
            throw invalid(key, v.get(key), "expected a number per second (0: unlimited)");
        }
        if (!(r >= 0) || Double.isInfinite(r)) {
            throw invalid(key, v.get(key), "must be 0 (unlimited) or positive");
        }
        return r;
    }

    private static long parseDataId(String key, String digits) {
        try {
            long id = Long.parseLong(digits);
            if (id > 0) {
                return id;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException("Invalid data_id in gateway configuration key '" + key + "'");
    }

    // ---- accessors

    public String bindHost() {
        return bindHost;
    }

    /** 0: any free port. */
    public int httpPort() {
        return httpPort;
    }

    /** 0: any free port. */
    public int flumePort() {
        return flumePort;
    }

    /** Bytes of a request body as received (compressed or not); larger: 413. */
    public int maxBodySize() {
        return maxBodySize;
    }

    /** Bytes of a gzip request body once decompressed; larger: 413. */
    public long maxDecompressedSize() {
        return maxDecompressedSize;
    }

    public int maxPendingRequests() {
        return maxPendingRequests;
    }

    /** As configured; 0 means one per core ({@link #effectiveIoThreads()}). */
    public int ioThreads() {
        return ioThreads;
    }

    public int effectiveIoThreads() {
        return ioThreads > 0 ? ioThreads : Runtime.getRuntime().availableProcessors();
    }

    public Duration retryAfter() {
        return retryAfter;
    }

    /** The Retry-After header's value: whole seconds, rounded up. */
    public int retryAfterSeconds() {
        long ms = retryAfter.toMillis();
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (ms + 999) / 1000));
    }

    /** Decompressed bytes of the requests waiting for the broker, over both ports; more: 503 overloaded. */
    public long maxPendingBytes() {
        return maxPendingBytes;
    }

    /** Open connections over both ports; a connection over it is closed at once. */
    public int maxConnections() {
        return maxConnections;
    }

    /** A connection that neither reads nor writes for this long, with no answer pending, is closed. */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** A request whose head and body have not fully arrived by then is answered 408 and its connection closed. */
    public Duration requestTimeout() {
        return requestTimeout;
    }

    public String kafkaBootstrapServers() {
        return kafkaBootstrapServers;
    }

    public String kafkaTopic() {
        return kafkaTopic;
    }

    public Duration kafkaAckTimeout() {
        return kafkaAckTimeout;
    }

    public long kafkaBufferSize() {
        return kafkaBufferSize;
    }

    public Duration kafkaLinger() {
        return kafkaLinger;
    }

    /** {@code kafka.properties.*} without the prefix. */
    public Map<String, String> kafkaProperties() {
        return kafkaProperties;
    }

    public String channelsTopic() {
        return channelsTopic;
    }

    public String channelsBootstrapServers() {
        return channelsBootstrapServers;
    }

    /** The channels of {@code channels.static.*}: the registry's start, under the channel topic's records. */
    public StaticChannels staticChannels() {
        return staticChannels;
    }

    public RateLimit defaultRateLimit() {
        return defaultRateLimit;
    }

    /** By data_id; a key a channel does not set is the default's. */
    public Map<Long, RateLimit> channelRateLimits() {
        return channelRateLimits;
    }

    /** What the report producer gets: bootstrap servers, linger and {@code kafka.properties.*}. */
    public Properties producerProperties() {
        Properties p = new Properties();
        p.putAll(kafkaProperties);
        p.put("bootstrap.servers", kafkaBootstrapServers);
        p.put("linger.ms", Long.toString(kafkaLinger.toMillis()));
        return p;
    }

    /** What the channel follower gets: the channel topic's bootstrap servers and {@code kafka.properties.*}. */
    public Properties channelConsumerProperties() {
        Properties p = new Properties();
        p.putAll(kafkaProperties);
        p.put("bootstrap.servers", channelsBootstrapServers);
        return p;
    }

    /** The keys of the configuration in their documented order (README.md's table is checked against it). */
    static List<String> fixedKeys() {
        return List.copyOf(DEFAULTS.keySet());
    }
}
