package io.tsdbpipe.reliability;

import io.tsdbpipe.deadletter.Reject;
import io.tsdbpipe.event.Event;
import io.tsdbpipe.point.DataPoint;
import io.tsdbpipe.deadletter.Origin;
import io.tsdbpipe.point.PointRules;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What must hold for every record, whatever its bytes: nothing escapes the decode stage; the record yields at least one
 * datapoint, event or reject (it never disappears); every datapoint and event obeys the datapoint rules; every reject
 * has a reason code of README's table and an item within the configured size; a report refused as a whole yields
 * nothing else; and no output holds a channel token or any 8-character piece of one. Each violation is one line that
 * starts with its kind.
 */
final class DecodeInvariants {

    /** Reasons that refuse the report as a whole: nothing of it may be written. */
    private static final Set<String> WHOLE_REPORT = Set.of("malformed_json", "payload_too_large", "unknown_channel",
            "auth_failed");

    private static final long MAX_TIMESTAMP = 9_999_999_999_999L;

    private static Set<String> documentedCodes;

    private final Set<String> tokenPieces = new HashSet<>();

    DecodeInvariants(List<String> tokens) {
        for (String token : tokens) {
            String t = token.toLowerCase(Locale.ROOT);
            for (int i = 0; i + 8 <= t.length(); i++) {
                tokenPieces.add(t.substring(i, i + 8));
            }
        }
    }

    /** The reason codes of README.md's reason table. */
    static synchronized Set<String> documentedCodes() {
        if (documentedCodes == null) {
            Set<String> codes = new LinkedHashSet<>();
            try {
                boolean inTable = false;
                for (String line : Files.readAllLines(Path.of("README.md"))) {
                    if (line.startsWith("## ")) {
                        inTable = line.equals("## Reason codes");
                    } else if (inTable && line.startsWith("| `")) {
                        codes.add(line.substring(3, line.indexOf('`', 3)));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            documentedCodes = codes;
        }
        return documentedCodes;
    }

    List<String> check(DecodeDriver.Outcome o, Origin origin, long nowMillis) {
        List<String> v = new ArrayList<>();
        if (o.thrown != null) {
            v.add("thrown: " + o.thrown);
        }
        if (o.isEmpty()) {
            v.add("vanished: no datapoint, no event, no reject");
        }
        for (DataPoint p : o.points) {
            checkPoint(p, origin, nowMillis, v);
            leak("datapoint", p.toString(), v);
        }
        for (Event e : o.events) {
            checkEvent(e, origin, nowMillis, v);
            leak("event", e.eventName() + ' ' + e.content() + ' ' + e.target() + ' ' + String.join(",", e.dimensions())
                    + ' ' + e.countSeriesKey(), v);
        }
        for (Reject r : o.rejects) {
            if (!documentedCodes().contains(r.reason().code())) {
                v.add("reason: " + r.reason().code() + " is not in README's reason table");
            }
            if (r.item().length() > ReliabilityFixture.MAX_ITEM_CHARS) {
                v.add("item-size: " + r.reason().code() + " item of " + r.item().length() + " chars");
            }
            if (r.message().isEmpty()) {
                v.add("message: " + r.reason().code() + " without a message");
            }
            if (!r.origin().sameRecord(origin)) {
                v.add("origin: " + r.reason().code() + " at " + r.origin() + ", record at " + origin);
            }
            leak(r.reason().code() + " message", r.message(), v);
            leak(r.reason().code() + " item", r.item(), v);
            if (WHOLE_REPORT.contains(r.reason().code()) && (o.rejects.size() > 1 || !o.points.isEmpty()
                    || !o.events.isEmpty())) {
                v.add("whole-report: " + r.reason().code() + " together with " + o.points.size() + " datapoints, "
                        + o.events.size() + " events, " + (o.rejects.size() - 1) + " other rejects");
            }
        }
        return v;
    }

    private static void checkPoint(DataPoint p, Origin origin, long nowMillis, List<String> v) {
        if (!PointRules.isValidName(p.metric())) {
            v.add("point-rule: metric \"" + p.metric() + "\" breaks the name rule");
        }
        checkTags(p.tags(), "point", v);
        checkTimestamp(p.timestamp(), nowMillis, "point " + p, v);
        if (p.isFloating() && (Double.isNaN(p.doubleValue()) || Double.isInfinite(p.doubleValue()))) {
            v.add("point-rule: value " + p.doubleValue() + " is not finite");
        }
        if (!p.origin().sameRecord(origin)) {
            v.add("origin: point at " + p.origin() + ", record at " + origin);
        }
    }

    private static void checkEvent(Event e, Origin origin, long nowMillis, List<String> v) {
        if (!PointRules.isValidName(e.countMetric())) {
            v.add("point-rule: event count metric \"" + e.countMetric() + "\" breaks the name rule");
        }
        checkTags(e.countTags(), "event count", v);
        checkTimestamp(e.timestampMillis(), nowMillis, "event " + e.eventId(), v);
        if (!e.origin().sameRecord(origin)) {
            v.add("origin: event at " + e.origin() + ", record at " + origin);
        }
    }

    private static void checkTags(String[] tags, String what, List<String> v) {
        int pairs = tags.length / 2;
        if (tags.length % 2 != 0 || pairs < 1 || pairs > ReliabilityFixture.MAX_TAGS) {
            v.add("point-rule: " + what + " has " + pairs + " tags");
        }
        for (int i = 0; i + 1 < tags.length; i += 2) {
            if (!PointRules.isValidName(tags[i]) || !PointRules.isValidName(tags[i + 1])) {
                v.add("point-rule: " + what + " tag " + tags[i] + "=" + tags[i + 1] + " breaks the name rule");
            }
            if (i > 0 && tags[i - 2].compareTo(tags[i]) >= 0) {
                v.add("point-rule: " + what + " tags not sorted or not unique: " + String.join(",", tags));
            }
        }
    }

    private static void checkTimestamp(long ts, long nowMillis, String what, List<String> v) {
        long millis = (ts & 0xFFFFFFFF00000000L) != 0 ? ts : ts * 1000L;
        if (ts <= 0 || ts > MAX_TIMESTAMP || millis > nowMillis + ReliabilityFixture.MAX_FUTURE_MILLIS) {
            v.add("point-rule: " + what + " timestamp " + ts + " outside the window");
        }
    }

    /** Adds a violation when the text holds an 8-character piece of a token (in any case, escaped or NUL-spread). */
    private void leak(String where, String text, List<String> v) {
        String piece = tokenPiece(text);
        if (piece != null) {
            v.add("leak: " + where + " holds token piece " + piece);
        }
    }

    /** The first 8-character piece of a token in the text, or null. */
    String tokenPiece(String text) {
        String s = normalize(text);
        int n = s.length();
        int run = 0;
        for (int i = 0; i <= n; i++) {
            char c = i < n ? s.charAt(i) : ' ';
            if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) {
                run++;
                continue;
            }
            for (int start = i - run; run >= 8 && start + 8 <= i; start++) {
                String piece = s.substring(start, start + 8);
                if (tokenPieces.contains(piece)) {
                    return piece;
                }
            }
            run = 0;
        }
        return null;
    }

    /** The end of the last 8-character token piece in the bytes (NULs skipped), or 0: shrinking keeps what is before. */
    int afterLastTokenPiece(byte[] b) {
        int end = 0;
        int[] index = new int[b.length];
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < b.length; i++) {
            if (b[i] != 0) {
                index[sb.length()] = i;
                sb.append(Character.toLowerCase((char) (b[i] & 0xFF)));
            }
        }
        for (int i = 0; i + 8 <= sb.length(); i++) {
            if (tokenPieces.contains(sb.substring(i, i + 8))) {
                end = index[i + 7] + 1;
            }
        }
        return end;
    }

    /** Lower case, JSON {@code \\uXXXX} escapes decoded, NULs (UTF-16 read as UTF-8) removed. */
    private static String normalize(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0, n = text.length(); i < n; i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 5 < n && text.charAt(i + 1) == 'u') {
                try {
                    c = (char) Integer.parseInt(text.substring(i + 2, i + 6), 16);
                    i += 5;
                } catch (NumberFormatException e) {
                    // not an escape: keep the backslash
                }
            }
            if (c != 0) {
                sb.append(Character.toLowerCase(c));
            }
        }
        return sb.toString();
    }
}
