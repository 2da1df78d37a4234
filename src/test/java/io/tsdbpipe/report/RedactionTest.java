package io.tsdbpipe.report;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RedactionTest {

    @Test
    void masksEveryAccessTokenValueAndKeepsTheRest() {
        assertThat(Redaction.redact("{\"data_id\":1,\"access_token\":\"s3cr\\\"et\",\"data\":[]}"))
                .isEqualTo("{\"data_id\":1,\"access_token\":\"***\",\"data\":[]}");
        assertThat(Redaction.redact("{\"access_token\" : \"a\", \"x\":{\"access_token\":\"b\"}}"))
                .isEqualTo("{\"access_token\" : \"***\", \"x\":{\"access_token\":\"***\"}}");
        assertThat(Redaction.redact("{\"access_token\":12345,\"d\":1}")).isEqualTo("{\"access_token\":\"***\",\"d\":1}");
        assertThat(Redaction.redact("{\"access_token\":null}")).isEqualTo("{\"access_token\":null}");
    }

    @Test
    void cutsOffATokenWhoseStringNeverEnds() {
        assertThat(Redaction.redact("{\"data_id\":1,\"access_token\":\"abcdef")).isEqualTo("{\"data_id\":1,\"access_token\":\"***");
    }

    @Test
    void leavesTextWithoutATokenAlone() {
        String s = "{\"metric\":\"a\",\"token\":\"x\"}";
        assertThat(Redaction.redact(s)).isSameAs(s);
        assertThat(Redaction.redact(null)).isNull();
    }
}
