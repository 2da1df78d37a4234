package io.tsdbpipe.job;

import io.tsdbpipe.channel.StaticChannelConfig;
import io.tsdbpipe.governance.CardinalityOptions;
import io.tsdbpipe.governance.RateLimitOptions;
import io.tsdbpipe.governance.SuppressionOptions;
import io.tsdbpipe.governance.TenantOptions;
import io.tsdbpipe.metadata.MetadataOptions;
import io.tsdbpipe.metadata.UidWatchOptions;
import io.tsdbpipe.point.DataPointSerializer;
import io.tsdbpipe.report.FormatOptions;
import io.tsdbpipe.report.ReportMappings;
import io.tsdbpipe.sink.OpenTsdbSinkOptions;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The job configuration: a YAML file ({@code --config FILE}, nested or flat keys) with any key overridden on the command
 * line ({@code --key value} or {@code --key=value}). Unknown keys and invalid values fail at once, naming the key.
 */
public final class JobConfig {

    /** Every class whose {@code ConfigOption} constants are keys of the job configuration. */
    static final List<Class<?>> OPTION_CLASSES = List.of(
            JobOptions.class,
            ParallelismOptions.class,
            CheckpointOptions.class,
            RestartOptions.class,
            SourceOptions.class,
            FormatOptions.class,
            ValidationOptions.class,
            SeriesOptions.class,
            DeadLetterOptions.class,
            OpenTsdbSinkOptions.class,
            ChannelOptions.class,
            EventOptions.class,
            MappingOptions.class,
            MetadataOptions.class,
            UidWatchOptions.class,
            TenantOptions.class,
            CardinalityOptions.class,
            RateLimitOptions.class,
            SuppressionOptions.class);

    /**
     * Key prefixes passed through unchecked here: Kafka client properties and raw Flink options; and the channels and
     * mappings of the configuration, which {@link #of} validates by their own rules.
     */
    static final List<String> PASS_THROUGH_PREFIXES = List.of(
            SourceOptions.PROPERTIES_PREFIX, DeadLetterOptions.PROPERTIES_PREFIX, EventOptions.PROPERTIES_PREFIX,
            JobOptions.FLINK_PREFIX, ChannelOptions.STATIC_PREFIX, MappingOptions.PREFIX,
            MetadataOptions.PROPERTIES_PREFIX);

    private final Configuration configuration;

    private JobConfig(Configuration configuration) {
        this.configuration = configuration;
    }

    public Configuration configuration() {
        return configuration;
    }

    /** Parses {@code [--config FILE] [--key value | --key=value]...}. */
    public static JobConfig fromArgs(String[] args) throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> overrides = new LinkedHashMap<>();
        for (Map.Entry<String, String> arg : CommandLineArgs.parse(args)) {
            if (arg.getKey().equals("config")) {
                values.putAll(FlatYaml.read(Path.of(arg.getValue()), "configuration file", true));
            } else {
                overrides.put(arg.getKey(), arg.getValue());
            }
        }
        values.putAll(overrides);
        return of(values);
    }

    /** Validates flat key/value pairs into a configuration. */
    public static JobConfig of(Map<String, String> values) {
        Map<String, ConfigOption<?>> known = knownOptions();
        for (String key : values.keySet()) {
            if (!known.containsKey(key) && PASS_THROUGH_PREFIXES.stream().noneMatch(key::startsWith)) {
                throw new IllegalArgumentException("Unknown configuration key '" + key + "'" + suggestion(key, known.keySet())
                        + " (see README.md, Configuration reference; free-form keys take a prefix: "
                        + String.join(", ", PASS_THROUGH_PREFIXES) + ")");
            }
        }
        String policy = values.get(SeriesOptions.CONFLICT_POLICY.key());
        if (policy != null && policy.trim().equalsIgnoreCase("last_wins")) {
            throw invalid(SeriesOptions.CONFLICT_POLICY, policy, SeriesOptions.LAST_WINS_REMOVED);
        }
        Configuration conf = Configuration.fromMap(values);
        for (ConfigOption<?> option : known.values()) {
            try {
                conf.get(option);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(
                        "Invalid value '" + values.get(option.key()) + "' for configuration key '" + option.key()
                                + "': " + rootMessage(e),
                        e);
            }
        }
        int maxTags = conf.get(ValidationOptions.MAX_TAGS);
        if (maxTags < 1 || maxTags > DataPointSerializer.MAX_TAGS) {
            throw invalid(ValidationOptions.MAX_TAGS, String.valueOf(maxTags),
                    "must be 1.." + DataPointSerializer.MAX_TAGS + " (the most tags a datapoint carries in the job)");
        }
        // the free-form sections, each naming the key that is wrong
        StaticChannelConfig.parse(values, ChannelOptions.STATIC_PREFIX);
        ReportMappings.parse(values, MappingOptions.PREFIX, conf.getOptional(MappingOptions.ORDER).orElse(null),
                MappingOptions.ORDER.key());
        return new JobConfig(conf);
    }

    private static IllegalArgumentException invalid(ConfigOption<?> option, String value, String why) {
        return new IllegalArgumentException(
                "Invalid value '" + value + "' for configuration key '" + option.key() + "': " + why);
    }

    /** All option constants by key, sorted. */
    static Map<String, ConfigOption<?>> knownOptions() {
        Map<String, ConfigOption<?>> options = new TreeMap<>();
        for (Class<?> holder : OPTION_CLASSES) {
            for (Field f : holder.getFields()) {
                if (Modifier.isStatic(f.getModifiers()) && f.getType() == ConfigOption.class) {
                    try {
                        ConfigOption<?> option = (ConfigOption<?>) f.get(null);
                        options.put(option.key(), option);
                    } catch (IllegalAccessException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        }
        return options;
    }


    /** ", did you mean 'x'?" for the closest known key within a few edits, else "". */
    private static String suggestion(String key, Iterable<String> known) {
        String best = null;
        int bestDistance = 4;
        for (String candidate : known) {
            int d = editDistance(key, candidate);
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return best == null ? "" : ", did you mean '" + best + "'?";
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage();
    }
}
