package io.tsdbpipe.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * OpenTSDB's answer to {@code POST /api/put?details}: {@code {"success":N,"failed":M,"errors":[{"datapoint":{..},
 * "error":".."}]}} (plus {@code "timeouts"} with {@code sync}).
 * {@code timeouts} counts the points whose storage write did not finish within {@code sync_timeout} (0 without
 * {@code sync}). Also reads the error text out of the other bodies a TSD (or a proxy in front of it) answers with.
 */
record PutResponse(long success, long failed, long timeouts, List<PutError> errors) {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int MAX_MESSAGE_CHARS = 500;

    /** One refused point: its echo (value as a string) and OpenTSDB's reason. */
    record PutError(JsonNode datapoint, String error) {

        /** The echoed point as JSON text, for a dead letter when it matches no sent point. */
        String datapointJson() {
            return datapoint.toString();
        }

        PutKey key() {
            return PutKey.ofEcho(datapoint);
        }
    }

    /**
     * Parses a {@code ?details} answer: integral {@code success} and {@code failed}, and {@code errors} (an array, or
     * absent: then none is listed). Whether it proves anything is {@link OpenTsdbAnswerClassifier}'s decision.
     *
     * @return null when the body is not one (empty, HTML, an {@code {"error":..}} object, truncated JSON)
     */
    static PutResponse parseDetails(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(body);
        } catch (Exception e) {
            return null;
        }
        if (root == null || !root.isObject() || !root.path("success").isIntegralNumber()
                || !root.path("failed").isIntegralNumber()) {
            return null;
        }
        JsonNode errorsNode = root.path("errors");
        if (!errorsNode.isMissingNode() && !errorsNode.isArray()) {
            return null;
        }
        List<PutError> errors = new ArrayList<>(errorsNode.size());
        for (JsonNode e : errorsNode) {
            errors.add(new PutError(e.path("datapoint"), e.path("error").asText("")));
        }
        return new PutResponse(
                root.path("success").asLong(), root.path("failed").asLong(), root.path("timeouts").asLong(0), errors);
    }

    /**
     * A short human-readable text for an answer that is not a details body: OpenTSDB's
     * {@code {"error":{"message":..,"details":..}}}, the text of an HTML page (e.g. "Chunked request not supported."),
     * or the start of whatever else came back.
     */
    static String errorMessage(byte[] body) {
        if (body == null || body.length == 0) {
            return "(empty body)";
        }
        String text = new String(body, StandardCharsets.UTF_8);
        try {
            JsonNode root = MAPPER.readTree(body);
            JsonNode error = root == null ? null : root.get("error");
            if (error != null && error.isObject()) {
                String message = error.path("message").asText("");
                String details = error.path("details").asText("");
                return cut(details.isEmpty() || details.equals(message) ? message : message + ": " + details);
            }
        } catch (Exception notJson) {
            // fall through: HTML or plain text
        }
        if (text.indexOf('<') >= 0) {
            text = stripHtml(text);
        }
        return cut(text.trim());
    }

    private static String stripHtml(String html) {
        // A TSD's error page has its message in the body; drop <head> (title, CSS) and all tags.
        String lower = html.toLowerCase(java.util.Locale.ROOT);
        int headEnd = lower.indexOf("</head>");
        String body = headEnd >= 0 ? html.substring(headEnd + 7) : html;
        StringBuilder sb = new StringBuilder(body.length());
        boolean inTag = false;
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == '<') {
                inTag = true;
                sb.append(' ');
            } else if (c == '>') {
                inTag = false;
            } else if (!inTag) {
                sb.append(c);
            }
        }
        return sb.toString().replaceAll("\\s+", " ");
    }

    private static String cut(String s) {
        return s.length() <= MAX_MESSAGE_CHARS ? s : s.substring(0, MAX_MESSAGE_CHARS) + "...";
    }
}
