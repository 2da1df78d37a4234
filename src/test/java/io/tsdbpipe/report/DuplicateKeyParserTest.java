package io.tsdbpipe.report;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The cheap duplicate-key check against Jackson's STRICT_DUPLICATE_DETECTION, on generated documents. */
class DuplicateKeyParserTest {

    private static final JsonFactory STRICT =
            JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final JsonFactory PLAIN = new JsonFactory();

    /** The token count at which Jackson reports a repeated key, -1 for none. */
    private static int strict(byte[] doc) throws IOException {
        int tokens = 0;
        try (JsonParser p = STRICT.createParser(doc)) {
            while (p.nextToken() != null) {
                tokens++;
            }
        } catch (JsonProcessingException e) {
            assertThat(e.getOriginalMessage()).startsWith("Duplicate field");
            return tokens;
        }
        return -1;
    }

    /**
     * The same from the cheap check; with {@code skip}, some containers are skipped as the formats skip them (then only
     * whether a key repeats is compared: a skip hides where).
     */
    private static int cheap(DuplicateKeyParser checked, byte[] doc, Random r, boolean skip) throws IOException {
        int tokens = 0;
        try (JsonParser p = checked.reset(PLAIN.createParser(doc))) {
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                tokens++;
                if (skip && t.isStructStart() && r.nextInt(3) == 0) {
                    p.skipChildren();
                }
            }
        } catch (DuplicateKeyParser.RepeatedKey e) {
            return tokens;
        }
        return -1;
    }

    private static void value(StringBuilder sb, Random r, int depth, int maxKeys) {
        int kind = depth > 4 ? r.nextInt(3) : r.nextInt(5);
        if (kind == 0) {
            sb.append(r.nextInt(100));
        } else if (kind == 1) {
            sb.append("\"v").append(r.nextInt(10)).append('"');
        } else if (kind == 2) {
            sb.append("null");
        } else if (kind == 3) {
            sb.append('[');
            int n = r.nextInt(4);
            for (int i = 0; i < n; i++) {
                sb.append(i > 0 ? "," : "");
                value(sb, r, depth + 1, maxKeys);
            }
            sb.append(']');
        } else {
            object(sb, r, depth + 1, maxKeys);
        }
    }

    private static void object(StringBuilder sb, Random r, int depth, int maxKeys) {
        sb.append('{');
        int n = r.nextInt(maxKeys);
        int names = 1 + r.nextInt(maxKeys * 2); // few names: repeats happen, often not
        for (int i = 0; i < n; i++) {
            sb.append(i > 0 ? "," : "");
            int k = r.nextInt(names);
            // the same key written with an escape is the same key
            sb.append(r.nextInt(8) == 0 ? "\"k\\u005f" : "\"k_").append(k).append("\":");
            value(sb, r, depth, maxKeys);
        }
        sb.append('}');
    }

    @Test
    void findsTheRepeatedKeyWhereJacksonDoes() throws IOException {
        Random r = new Random(8);
        DuplicateKeyParser checked = new DuplicateKeyParser();
        int repeated = 0;
        for (int n = 0; n < 10_000; n++) { // 200,000 agreed in review; 10,000 keep the suite fast
            StringBuilder sb = new StringBuilder();
            object(sb, r, 0, n % 3 == 0 ? 40 : 6); // also objects past the scan limit
            byte[] doc = sb.toString().getBytes(StandardCharsets.UTF_8);
            int expected = strict(doc);
            assertThat(cheap(checked, doc, r, false)).as(sb.toString()).isEqualTo(expected);
            assertThat(cheap(checked, doc, r, true) >= 0).as(sb.toString()).isEqualTo(expected >= 0);
            repeated += expected >= 0 ? 1 : 0;
        }
        assertThat(repeated).isBetween(1_000, 9_000); // both kinds were checked
    }
}
