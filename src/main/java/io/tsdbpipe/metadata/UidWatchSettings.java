package io.tsdbpipe.metadata;

import io.tsdbpipe.sink.OpenTsdbSinkOptions;

import org.apache.flink.configuration.ReadableConfig;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the UID watch needs ({@code cardinality.uid-*}, and the sink's endpoints and authentication), read and checked
 * once.
 *
 * @param headers sent with every request (the sink's authentication: never printed)
 */
public record UidWatchSettings(
        List<String> endpoints, Map<String, String> headers, double warnShare, Duration interval,
        Duration requestTimeout) implements Serializable {

    public UidWatchSettings {
        if (!(warnShare > 0 && warnShare <= 1)) {
            throw new IllegalArgumentException(UidWatchOptions.WARN_SHARE.key() + " must be in (0, 1], was "
                    + warnShare);
        }
        endpoints = List.copyOf(endpoints);
        headers = Map.copyOf(headers);
    }

    /** The settings, or empty when the watch is off (an interval of 0) or there are no endpoints. */
    public static Optional<UidWatchSettings> fromConfiguration(ReadableConfig conf) {
        Duration interval = conf.get(UidWatchOptions.CHECK_INTERVAL);
        List<String> endpoints = conf.getOptional(OpenTsdbSinkOptions.ENDPOINTS).orElse(List.of());
        double share = conf.get(UidWatchOptions.WARN_SHARE);
        if (interval.isZero() || interval.isNegative() || endpoints.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new UidWatchSettings(endpoints, authHeaders(conf), share, interval,
                conf.get(OpenTsdbSinkOptions.REQUEST_TIMEOUT)));
    }

    /** The headers the sink authenticates with: basic auth and/or the configured header. */
    static Map<String, String> authHeaders(ReadableConfig conf) {
        Map<String, String> headers = new LinkedHashMap<>();
        conf.getOptional(OpenTsdbSinkOptions.AUTH_BASIC_USERNAME).ifPresent(user -> headers.put("Authorization",
                "Basic " + Base64.getEncoder().encodeToString((user + ":"
                        + conf.getOptional(OpenTsdbSinkOptions.AUTH_BASIC_PASSWORD).orElse(""))
                        .getBytes(StandardCharsets.UTF_8))));
        conf.getOptional(OpenTsdbSinkOptions.AUTH_HEADER_NAME).ifPresent(name ->
                headers.put(name, conf.getOptional(OpenTsdbSinkOptions.AUTH_HEADER_VALUE).orElse("")));
        return headers;
    }

    @Override
    public String toString() {
        return "UidWatchSettings[endpoints=" + endpoints + ", headers=" + headers.keySet() + " (values not shown)"
                + ", warnShare=" + warnShare + ", interval=" + interval + ", requestTimeout=" + requestTimeout + "]";
    }
}
