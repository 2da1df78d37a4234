package io.tsdbpipe.report;

import io.tsdbpipe.point.InvalidPointException;
import io.tsdbpipe.deadletter.RejectReason;
import io.tsdbpipe.point.TagsBuilder;

import org.apache.flink.configuration.ReadableConfig;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.util.Arrays;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The TBDS report that the Flume "JsonFrame" interceptor produced and tcollector consumed:
 *
 * <pre>{"metrics":[{"appid":"mking","hostname":"tbds-172-16-0-4","metricname":"network",
 *   "metrics":{"1597634942159":"406885354231"},"tags":{"instance_id":"lo","type":"bytes_sent"}}]}</pre>
 *
 * One datapoint per entry of an item's inner {@code metrics} map (key = timestamp, value = value); metric = appid +
 * separator + metricname; tags = the item's {@code tags} plus {@code hostname} (required, optionally matched against the
 * cluster's hostname rule). An item-level problem rejects the item once; an entry-level one rejects that entry only.
 */
public final class TbdsReportFormat implements ReportFormat {

    private static final long serialVersionUID = 1L;

    public static final String NAME = "tbds";

    private static final ItemArray ITEMS = new ItemArray("item", "metrics", RejectReason.MISSING_FIELD);

    private final String separator;
    private final Pattern hostnamePattern;

    private transient ItemArray.ItemReader items;
    private transient JsonEntries entryReader;
    /**
     * The timestamps of the previous item's entries in this report, by position: the items of a report usually share
     * them, names and order (a parser gives equal names as one String).
     */
    private transient String[] tsNames;
    private transient long[] tsValues;
    private transient int tsCount;

    /**
     * @param separator put between appid and metricname
     * @param hostnamePattern the cluster's hostname rule (the whole hostname must match), or null for none
     */
    public TbdsReportFormat(String separator, Pattern hostnamePattern) {
        this.separator = separator;
        this.hostnamePattern = hostnamePattern;
    }

    /** The format with its settings from the configuration ({@link FormatOptions}). */
    public static TbdsReportFormat fromConfiguration(ReadableConfig conf) {
        return new TbdsReportFormat(
                conf.get(FormatOptions.TBDS_SEPARATOR),
                conf.getOptional(FormatOptions.TBDS_HOSTNAME_PATTERN).map(Pattern::compile).orElse(null));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> topLevelFields() {
        return Set.of("metrics");
    }

    @Override
    public void decodeObject(JsonParser p, DecodeContext ctx) throws IOException {
        if (tsNames == null) {
            tsNames = new String[16];
            tsValues = new long[16];
            items = this::decodeItem;
        }
        Arrays.fill(tsNames, 0, tsCount, null);
        tsCount = 0;
        for (JsonToken t = p.currentToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
            String field = p.currentName();
            p.nextToken();
            if (!"metrics".equals(field)) {
                p.skipChildren();
                continue;
            }
            ITEMS.readField(p, ctx, items);
        }
    }

    /** Reads one item (the parser is on its START_OBJECT; ends on its END_OBJECT) and emits its datapoints. */
    private void decodeItem(JsonParser p, DecodeContext ctx, int start, int index) throws IOException {
        String appid = null;
        String metricName = null;
        String hostname = null;
        int entries = 0;
        boolean hasEntries = false;
        TagsBuilder tags = ctx.newTags();
        InvalidPointException problem = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            switch (field) {
                case "appid":
                    appid = JsonValue.nameText(p);
                    break;
                case "metricname":
                    metricName = JsonValue.nameText(p);
                    break;
                case "hostname":
                    hostname = JsonValue.nameText(p);
                    break;
                case "metrics":
                    if (v == JsonToken.START_OBJECT) {
                        hasEntries = true;
                        if (entryReader == null) {
                            entryReader = new JsonEntries();
                        }
                        entries = entryReader.read(p);
                    } else {
                        p.skipChildren();
                    }
                    break;
                case "tags":
                    problem = JsonValue.readTags(p, ctx.rules(), tags, problem);
                    break;
                default:
                    p.skipChildren();
            }
        }
        String metric;
        String[] sortedTags;
        try {
            if (problem != null) {
                throw problem;
            }
            if (appid == null || metricName == null) {
                throw new InvalidPointException(
                        RejectReason.MISSING_FIELD, (appid == null ? "appid" : "metricname") + " is missing");
            }
            if (hostname == null) {
                throw new InvalidPointException(RejectReason.MISSING_FIELD, "hostname is missing");
            }
            if (!hasEntries) {
                throw new InvalidPointException(
                        RejectReason.MISSING_FIELD, "metrics (the timestamp=value map) is missing");
            }
            if (hostnamePattern != null && !hostnamePattern.matcher(hostname).matches()) {
                throw new InvalidPointException(
                        RejectReason.INVALID_TAG,
                        "hostname \"" + hostname + "\" does not match the hostname rule " + hostnamePattern);
            }
            metric = ctx.rules().metric(appid + separator + metricName);
            tags.put(ctx.rules(), "hostname", hostname);
            sortedTags = tags.build(ctx.rules());
        } catch (InvalidPointException e) {
            ctx.reject(e.reason(), "item " + index + ": " + e.getMessage(), ctx.itemText(start, p));
            return;
        }
        if (entries == 0) {
            ctx.reject(RejectReason.MISSING_FIELD, "item " + index + ": metrics map is empty", ctx.itemText(start, p));
        }
        for (int i = 0; i < entries; i++) {
            try {
                long ts = timestamp(ctx, i);
                ctx.point(entryReader.value(i).point(metric, sortedTags, ts, ctx.origin()));
            } catch (InvalidPointException e) {
                ctx.entryReject(e, "item " + index + ", entry \"" + entryReader.name(i) + "\": " + e.getMessage(),
                        start, p, entryReader.name(i), entryReader.value(i).json());
            }
        }
    }

    /** Entry {@code i}'s timestamp: the previous item's at that position when it had the same name. */
    private long timestamp(DecodeContext ctx, int i) throws InvalidPointException {
        String name = entryReader.name(i);
        if (i < tsCount && tsNames[i] == name) {
            return tsValues[i];
        }
        long ts = ctx.rules().timestamp(name, ctx.nowMillis());
        if (i >= tsNames.length) {
            tsNames = Arrays.copyOf(tsNames, i * 2);
            tsValues = Arrays.copyOf(tsValues, i * 2);
        }
        tsNames[i] = name;
        tsValues[i] = ts;
        tsCount = Math.max(tsCount, i + 1);
        return ts;
    }
}
