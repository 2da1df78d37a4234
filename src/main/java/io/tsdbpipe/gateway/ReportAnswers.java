package io.tsdbpipe.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

import java.nio.charset.StandardCharsets;

/**
 * The answers of each endpoint in its clients' dialect: bk-collector's {@code {"code","result","message"}} JSON on
 * {@code /v2/push/}, OpenTSDB's on {@code /api/put}, Flume's HTTP source's (200 with an empty body, plain-text errors)
 * on the flume port. 429 and 503 carry Retry-After.
 */
final class ReportAnswers {

    static final String JSON = "application/json; charset=UTF-8";
    static final String TEXT = "text/plain; charset=UTF-8";

    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** bk-collector's 200, the answer of nearly every request: built once. */
    private static final byte[] BLUEKING_OK =
            "{\"code\":\"200\",\"result\":\"true\",\"message\":\"\"}".getBytes(StandardCharsets.UTF_8);

    private ReportAnswers() {}

    /** What a request was accepted with. */
    static FullHttpResponse accepted(Endpoint endpoint, int datapoints, boolean summary, boolean details) {
        switch (endpoint) {
            case V2_PUSH:
                return full(200, BLUEKING_OK, JSON);
            case API_PUT:
                if (!summary && !details) {
                    return empty(HttpResponseStatus.NO_CONTENT);
                }
                // OpenTSDB's own answers: ?summary counts, ?details adds the (here empty) errors
                ObjectNode o = MAPPER.createObjectNode().put("success", datapoints).put("failed", 0);
                if (details) {
                    o.putArray("errors");
                }
                return json(200, o);
            default:
                return empty(HttpResponseStatus.OK);
        }
    }

    /** A refusal in the endpoint's dialect; Retry-After on 429 and 503. */
    static FullHttpResponse refused(Endpoint dialect, int status, String message, int retryAfterSeconds) {
        FullHttpResponse r;
        switch (dialect) {
            case V2_PUSH:
                r = blueKing(status, message);
                break;
            case API_PUT:
                ObjectNode o = MAPPER.createObjectNode();
                o.putObject("error").put("code", status).put("message", message);
                r = json(status, o);
                break;
            default:
                r = text(status, message + "\n");
        }
        if (status == 429 || status == 503) {
            r.headers().set(HttpHeaderNames.RETRY_AFTER, retryAfterSeconds);
        }
        return r;
    }

    /** bk-collector's answer: the status as a string, result "true" only for 200. */
    static FullHttpResponse blueKing(int status, String message) {
        ObjectNode o = MAPPER.createObjectNode()
                .put("code", Integer.toString(status))
                .put("result", status == 200 ? "true" : "false")
                .put("message", message);
        return json(status, o);
    }

    static FullHttpResponse json(int status, ObjectNode body) {
        try {
            return full(status, MAPPER.writeValueAsBytes(body), JSON);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e); // a tree of strings and numbers always serializes
        }
    }

    static FullHttpResponse text(int status, String body) {
        return full(status, body.getBytes(StandardCharsets.UTF_8), TEXT);
    }

    static FullHttpResponse full(int status, byte[] body, String contentType) {
        FullHttpResponse r = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        return r;
    }

    static FullHttpResponse empty(HttpResponseStatus status) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.EMPTY_BUFFER);
        if (status.code() != 204) { // a 204 has no Content-Length (RFC 9110)
            r.headers().set(HttpHeaderNames.CONTENT_LENGTH, HttpHeaderValues.ZERO);
        }
        return r;
    }
}
