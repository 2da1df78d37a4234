package io.tsdbpipe.sink;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Adversarial review of the answer classifier: annotation answers that prove nothing but are taken as proof.
 * Issue 7's rule: an answer counts only when it proves it; anything else is ambiguous and is retried.
 */
class AnnotationAnswerProofTest {

    private static final String WHERE = "http://tsd:4242";

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A proxy or maintenance page answering a GET with a 200 JSON object that is not an annotation ({@code {}},
     * {@code {"status":"maintenance"}}) is taken as "the stored annotation": the merge then POSTs only the new events,
     * and since a POST replaces the custom map as a whole, every event stored earlier in that second is dropped.
     */
    @Test
    void aReadAnsweredWithAJsonObjectThatIsNoAnnotationIsNotWhatIsStored() {
        for (String body : new String[] {"{}", "{\"status\":\"maintenance\"}", "{\"custom\":null}"}) {
            OpenTsdbAnswerClassifier.Decision d =
                    OpenTsdbAnswerClassifier.annotationRead(WHERE, 1, 200, null, b(body));
            assertThat(d.verdict).as("GET 200 %s", body).isNotEqualTo(OpenTsdbAnswerClassifier.Verdict.READ);
        }
    }

    /**
     * A 200 to the POST whose body is a JSON object but not the annotation written (an error object from a proxy,
     * an empty object) is counted as written: the events count as stored without proof.
     */
    @Test
    void aWriteAnsweredWithAnErrorObjectOrAnEmptyObjectIsNotWritten() {
        for (String body : new String[] {
                "{\"error\":{\"code\":503,\"message\":\"maintenance\"}}", "{}", "{\"startTime\":1}"}) {
            OpenTsdbAnswerClassifier.Decision d =
                    OpenTsdbAnswerClassifier.annotationWrite(WHERE, 1612509542L, 1, 200, null, b(body));
            assertThat(d.outcome(0)).as("POST 200 %s", body).isNotEqualTo(OpenTsdbAnswerClassifier.Outcome.WRITTEN);
        }
    }
}
