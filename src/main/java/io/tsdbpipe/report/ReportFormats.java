package io.tsdbpipe.report;

import org.apache.flink.configuration.ReadableConfig;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The report formats the job knows, by the name {@code formats.enabled} gives them. A new format is one class
 * implementing {@link ReportFormat} plus one line here.
 */
public final class ReportFormats {

    private static final Map<String, Function<ReadableConfig, ReportFormat>> FORMATS = new LinkedHashMap<>();

    static {
        FORMATS.put(TbdsReportFormat.NAME, conf -> new TbdsReportFormat(
                conf.get(FormatOptions.TBDS_SEPARATOR),
                conf.getOptional(FormatOptions.TBDS_HOSTNAME_PATTERN).map(Pattern::compile).orElse(null)));
        FORMATS.put(OpenTsdbJsonFormat.NAME, conf -> new OpenTsdbJsonFormat());
        FORMATS.put(BlueKingReportFormat.NAME,
                conf -> new BlueKingReportFormat(conf.get(FormatOptions.BLUEKING_MAX_FUTURE).toMillis()));
    }

    private ReportFormats() {}

    /** The formats {@code formats.enabled} names, in its order, each with its settings from the configuration. */
    public static List<ReportFormat> fromConfiguration(ReadableConfig conf) {
        List<ReportFormat> formats = new ArrayList<>();
        for (String name : conf.get(FormatOptions.ENABLED)) {
            Function<ReadableConfig, ReportFormat> factory = FORMATS.get(name.trim());
            if (factory == null) {
                throw new IllegalArgumentException("Unknown format '" + name + "' in " + FormatOptions.ENABLED.key()
                        + ": expected one of " + String.join(", ", FORMATS.keySet()));
            }
            formats.add(factory.apply(conf));
        }
        return formats;
    }
}
