package io.tsdbpipe.channel;

import java.util.Locale;

/** What a channel's reports carry: BlueKing custom time series or custom events. Its code is the stable config text. */
public enum ChannelKind {
    TIME_SERIES,
    EVENTS;

    private final String code = name().toLowerCase(Locale.ROOT);

    public String code() {
        return code;
    }

    /** The kind named {@code time_series} or {@code events} (case-insensitive), or null. */
    public static ChannelKind parse(String text) {
        if (text == null) {
            return null;
        }
        for (ChannelKind k : values()) {
            if (k.code.equalsIgnoreCase(text.trim())) {
                return k;
            }
        }
        return null;
    }
}
