package io.tsdbpipe.sink;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Parsing OpenTSDB 2.4.1's answers, with the bodies captured in docs/opentsdb-put.md section 3. */
class PutResponseTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void allGoodWithDetails() {
        PutResponse r = PutResponse.parseDetails(b("{\"success\":42,\"failed\":0,\"errors\":[]}"));
        assertThat(r).isNotNull();
        assertThat(r.success()).isEqualTo(42);
        assertThat(r.failed()).isZero();
        assertThat(r.errors()).isEmpty();
    }

    @Test
    void allGoodWithDetailsAndSync() {
        PutResponse r = PutResponse.parseDetails(b("{\"success\":1,\"timeouts\":0,\"failed\":0,\"errors\":[]}"));
        assertThat(r).isNotNull();
        assertThat(r.success()).isEqualTo(1);
        assertThat(r.timeouts()).isZero();
        assertThat(r.errors()).isEmpty();
    }

    @Test
    void someBadWithDetailsListsEachRefusedPointWithItsEcho() {
        String body = "{\"success\":1,\"failed\":3,\"errors\":["
                + "{\"datapoint\":{\"metric\":\"bad metric!\",\"timestamp\":1700000000,\"value\":\"1\","
                + "\"tags\":{\"host\":\"a\"}},\"error\":\"Invalid metric name (\\\"bad metric!\\\"): illegal character:  \"},"
                + "{\"error\":\"Invalid tag value with key [host] (\\\"a b\\\"): illegal character:  \","
                + "\"datapoint\":{\"metric\":\"m\",\"timestamp\":1700000000,\"value\":\"2.5\",\"tags\":{\"host\":\"a b\"}}},"
                + "{\"datapoint\":{\"metric\":\"m\",\"timestamp\":1700000000,\"value\":\"3\"},\"error\":\"Missing tags\"}]}";
        PutResponse r = PutResponse.parseDetails(b(body));
        assertThat(r).isNotNull();
        assertThat(r.success()).isEqualTo(1);
        assertThat(r.failed()).isEqualTo(3);
        assertThat(r.errors()).extracting(PutResponse.PutError::error).containsExactly(
                "Invalid metric name (\"bad metric!\"): illegal character:  ",
                "Invalid tag value with key [host] (\"a b\"): illegal character:  ",
                "Missing tags");
        assertThat(r.errors().get(1).datapoint().path("value").asText()).isEqualTo("2.5");
        assertThat(r.errors().get(0).datapointJson()).contains("\"metric\":\"bad metric!\"");
    }

    @Test
    void summaryWithoutTheListIsReadWithNoErrorListed() {
        // Whether it proves anything (it does not: 3 failed, none listed) is OpenTsdbAnswerClassifier's decision.
        PutResponse r = PutResponse.parseDetails(b("{\"success\":1,\"failed\":3}"));
        assertThat(r).isNotNull();
        assertThat(r.failed()).isEqualTo(3);
        assertThat(r.errors()).isEmpty();
    }

    @Test
    void countsThatAreNotIntegersOrErrorsThatAreNotAListAreNoSummary() {
        assertThat(PutResponse.parseDetails(b("{\"success\":\"1\",\"failed\":0,\"errors\":[]}"))).isNull();
        assertThat(PutResponse.parseDetails(b("{\"success\":1.5,\"failed\":0,\"errors\":[]}"))).isNull();
        assertThat(PutResponse.parseDetails(b("{\"success\":1,\"failed\":0,\"errors\":{}}"))).isNull();
    }

    @Test
    void errorObjectsAndHtmlAreNotDetailsAnswersButYieldTheirMessage() {
        byte[] noParam = b("{\"error\":{\"code\":400,\"message\":\"One or more data points had errors\","
                + "\"details\":\"Please see the TSD logs or append \\\"details\\\" to the put request\"}}");
        assertThat(PutResponse.parseDetails(noParam)).isNull();
        assertThat(PutResponse.errorMessage(noParam)).isEqualTo(
                "One or more data points had errors: Please see the TSD logs or append \"details\" to the put request");

        byte[] malformed = b("{\"error\":{\"code\":400,\"message\":\"Unable to parse the given JSON\","
                + "\"details\":\"Unexpected end-of-input\"}}");
        assertThat(PutResponse.parseDetails(malformed)).isNull();
        assertThat(PutResponse.errorMessage(malformed)).startsWith("Unable to parse the given JSON");

        byte[] empty = b("{\"error\":{\"code\":400,\"message\":\"No datapoints found in content\"}}");
        assertThat(PutResponse.errorMessage(empty)).isEqualTo("No datapoints found in content");

        byte[] html = b("<!DOCTYPE html><html><head><title>Bad Request</title><style>body{}</style></head><body>"
                + "<h1>Bad Request</h1>The reason provided was:<blockquote>Chunked request not supported."
                + "</blockquote></body></html>");
        assertThat(PutResponse.parseDetails(html)).isNull();
        assertThat(PutResponse.errorMessage(html)).contains("Chunked request not supported.").doesNotContain("<");
    }

    @Test
    void emptyOrTruncatedBodies() {
        assertThat(PutResponse.parseDetails(new byte[0])).isNull();
        assertThat(PutResponse.parseDetails(b("{\"success\":1,\"failed\":0,\"err"))).isNull();
        assertThat(PutResponse.errorMessage(new byte[0])).isEqualTo("(empty body)");
    }
}
