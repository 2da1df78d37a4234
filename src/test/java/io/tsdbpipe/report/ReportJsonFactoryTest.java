package io.tsdbpipe.report;

import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class ReportJsonFactoryTest {

    private final ReportJsonFactory factory = new ReportJsonFactory(new JsonFactoryBuilder());

    @Test
    void reportsOfEverNewNamesKeepTheNameTableSmall() throws Exception {
        // TBDS-like: the keys are timestamps, new in every report
        for (int r = 0; r < 10_000; r++) {
            byte[] report = ("{\"metrics\":{\"" + (1_700_000_000_000L + r) + "\":\"1\",\"" + (1_800_000_000_000L + r)
                    + "\":\"2\"},\"appid\":\"a\"}").getBytes(StandardCharsets.UTF_8);
            try (JsonParser p = factory.createParser(report)) {
                int names = 0;
                while (p.nextToken() != null) {
                    if (p.currentToken() == JsonToken.FIELD_NAME) {
                        names++;
                    }
                }
                assertThat(names).isEqualTo(4);
            }
        }
        assertThat(factory.names()).isLessThanOrEqualTo(ReportJsonFactory.MAX_NAMES + 4);
    }

    @Test
    void locationsStayByteOffsets() throws Exception {
        // dead letters cut an item's text out of the report by byte offsets: a reader-based parser would count chars
        byte[] report = "{\"h\":\"é€\",\"item\":{}}".getBytes(StandardCharsets.UTF_8);
        try (JsonParser p = factory.createParser(report)) {
            while (p.nextToken() != JsonToken.START_OBJECT || p.currentName() == null) {
                // to the item's object
            }
            assertThat(p.currentTokenLocation().getByteOffset()).isEqualTo(report.length - 3);
        }
    }
}
