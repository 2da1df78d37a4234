package io.tsdbpipe.report;

import io.tsdbpipe.channel.Channel;
import io.tsdbpipe.channel.ChannelKind;
import io.tsdbpipe.channel.ChannelTokens;
import io.tsdbpipe.deadletter.RejectReason;
import io.tsdbpipe.event.Event;

import org.apache.flink.configuration.ReadableConfig;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Set;

/**
 * BlueKing (bk-monitor) custom reports, the v2 push protocol: {@code {"data_id":..,"access_token":..,"data":[..]}}.
 * The channel of the data_id decides how the items are read (custom time series or custom events), the metric prefix
 * and the fixed tags. A report for an unknown or disabled channel ({@code unknown_channel}) or with a wrong token
 * ({@code auth_failed}) is refused as a whole, before any item is read: nothing of it is written.
 *
 * <p>Time series item ({@link BlueKingTimeSeriesReader}):
 * {@code {"metrics":{"cpu_load":10},"target":"127.0.0.1","dimension":{..},"timestamp":ms}}, one datapoint per metric,
 * metric = channel prefix + '.' + key. bk-monitor's rules: metric and dimension names match
 * {@code ^[a-zA-Z_][a-zA-Z0-9_]*$} (checked by a scan) and values are JSON numbers. {@code target} and the dimensions
 * become tags (null dropped, numbers/booleans as text), then the channel's tags (which win). Timestamps are
 * milliseconds; missing or 0 means the Kafka record's timestamp (the same on every replay; a record without one is
 * refused); more than the channel's max-future ahead is refused. Unlike
 * bk-monitor, which refuses the whole request at its first bad item, each item and each datapoint is judged on its own.
 *
 * <p>Event item ({@link BlueKingEventReader}):
 * {@code {"event_name":..,"event":{"content":..},"target":..,"dimension":{..},"timestamp":ms}} becomes an
 * {@link Event} (counted, annotated, published by the event stages).
 *
 * <p>{@code data} may come before {@code data_id} and {@code access_token}: then it is read in a second pass, once the
 * channel is known. This class reads the envelope and authenticates it; the readers read the items.
 */
public final class BlueKingReportFormat implements ReportFormat {

    private static final long serialVersionUID = 1L;

    public static final String NAME = "blueking";

    private final long defaultMaxFutureMillis;

    private transient MessageDigest digest;
    private transient BlueKingTimeSeriesReader series;
    private transient BlueKingEventReader events;

    /** @param defaultMaxFutureMillis bk-monitor's max_future_time_offset of channels that set none (3600 s) */
    public BlueKingReportFormat(long defaultMaxFutureMillis) {
        this.defaultMaxFutureMillis = defaultMaxFutureMillis;
    }

    /** The format with its settings from the configuration ({@link FormatOptions}). */
    public static BlueKingReportFormat fromConfiguration(ReadableConfig conf) {
        return new BlueKingReportFormat(conf.get(FormatOptions.BLUEKING_MAX_FUTURE).toMillis());
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> topLevelFields() {
        return Set.of("data_id", "access_token");
    }

    @Override
    public Set<String> identifyingFields() {
        return Set.of("data_id");
    }

    @Override
    public void decodeObject(JsonParser p, DecodeContext ctx) throws IOException {
        if (digest == null) {
            digest = ChannelTokens.newDigest();
            series = new BlueKingTimeSeriesReader(defaultMaxFutureMillis);
            events = new BlueKingEventReader(defaultMaxFutureMillis);
        }
        long dataId = -1;
        boolean hasId = false;
        String token = null;
        Channel channel = null;
        boolean authenticated = false;
        boolean dataRead = false;
        for (JsonToken t = p.currentToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            switch (field) {
                case "data_id":
                    if (v == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
                        dataId = p.getLongValue();
                        hasId = true;
                    } else if (v == JsonToken.VALUE_STRING && isDigits(p.getText())) {
                        dataId = Long.parseLong(p.getText());
                        hasId = true;
                    } else {
                        p.skipChildren();
                    }
                    break;
                case "access_token":
                    token = v == JsonToken.VALUE_STRING ? p.getText() : null;
                    p.skipChildren();
                    break;
                case "data":
                    if (!authenticated && hasId && token != null) {
                        channel = authenticate(hasId, dataId, token, ctx);
                        authenticated = true;
                    }
                    if (channel != null && !dataRead) {
                        decodeData(p, ctx, channel);
                        dataRead = true;
                    } else {
                        p.skipChildren();
                    }
                    break;
                default:
                    p.skipChildren();
            }
        }
        if (!authenticated) {
            channel = authenticate(hasId, dataId, token, ctx);
        }
        if (channel != null && !dataRead) {
            decodeDataAgain(ctx, channel);
        }
    }

    /** {@code data} came before data_id/access_token (or not at all): finds it again now that the channel is known. */
    private void decodeDataAgain(DecodeContext ctx, Channel channel) throws IOException {
        try (JsonParser q = ctx.reparse()) {
            if (q.nextToken() == JsonToken.START_OBJECT) {
                while (q.nextToken() == JsonToken.FIELD_NAME) {
                    String field = q.currentName();
                    q.nextToken();
                    if (field.equals("data")) {
                        decodeData(q, ctx, channel);
                        return;
                    }
                    q.skipChildren();
                }
            }
        }
        ctx.reject(RejectReason.MISSING_FIELD, "data (the items) is missing", ctx.payloadText());
    }

    /** The report's channel if it may report, else null after one reject of the whole report. */
    private Channel authenticate(boolean hasId, long dataId, String token, DecodeContext ctx) {
        if (!hasId) {
            ctx.reject(RejectReason.MISSING_FIELD, "data_id is missing or not an integer", ctx.payloadText());
            return null;
        }
        ctx.dataId(dataId);
        Channel c = ctx.channels().channel(dataId);
        if (c == null || !c.enabled()) {
            ctx.reject(
                    RejectReason.UNKNOWN_CHANNEL,
                    "data_id " + dataId + (c == null ? " is not a registered channel" : " is a disabled channel"),
                    ctx.payloadText());
            return null;
        }
        if (token == null) {
            ctx.reject(RejectReason.AUTH_FAILED, "access_token is missing or not a string", ctx.payloadText());
            return null;
        }
        if (!c.tokenMatches(digest.digest(token.getBytes(StandardCharsets.UTF_8)))) {
            ctx.reject(
                    RejectReason.AUTH_FAILED,
                    "access_token is not the token of channel " + dataId,
                    ctx.payloadText());
            return null;
        }
        return c;
    }

    /** Reads {@code data} (the parser is on its value) as the channel's kind of item. */
    private void decodeData(JsonParser p, DecodeContext ctx, Channel channel) throws IOException {
        (channel.kind() == ChannelKind.EVENTS ? events : series).readData(p, ctx, channel);
    }

    private static boolean isDigits(String s) {
        if (s.isEmpty() || s.length() > 18) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
