package io.tsdbpipe.report;

import org.apache.flink.configuration.ReadableConfig;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The report formats the job knows, by the name {@code formats.enabled} gives them. A new format is one class
 * implementing {@link ReportFormat} (with a factory that reads its settings from the configuration, its keys in
 * {@link FormatOptions}) plus one line here.
 */
public final class ReportFormats {

    private static final Map<String, Function<ReadableConfig, ReportFormat>> FORMATS = new LinkedHashMap<>();

    static {
        FORMATS.put(TbdsReportFormat.NAME, TbdsReportFormat::fromConfiguration);
        FORMATS.put(OpenTsdbJsonFormat.NAME, conf -> new OpenTsdbJsonFormat());
        FORMATS.put(BlueKingReportFormat.NAME, BlueKingReportFormat::fromConfiguration);
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
