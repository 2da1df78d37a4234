package io.tsdbpipe.gateway;

import io.tsdbpipe.channel.ChannelTokens;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Generated and mutated bodies through all three endpoints' checks: they pass or throw {@link GatewayRejection}, never
 * anything else, and no message holds the token or any 8 characters of it, nor more than a short text. Seeded: a
 * failure names the case that reproduces it.
 */
class ReportInspectorFuzzTest {

    private static final int CASES = 20_000;
    private static final byte[] SPECIAL = "\"\\,{}[]: \u0000x9'\t\n".getBytes(StandardCharsets.ISO_8859_1);
    private static final String[] INSERTS = {"\\u", "\\ud800", "\\u0000", "\\\"", "[", "{\"a\":", "1e999",
        "-", "99999999999999999999", "\"access_token\":\"x\",", "\uFEFF", "\u00e9", "\uD83D\uDE00"};

    @Test
    void bodiesNeverFailOtherwiseNorEchoTheToken() {
        for (int i = 0; i < CASES; i++) {
            Random rnd = new Random(i);
            String token = ChannelTokens.generate();
            byte[] body = mutate(base(rnd, token), rnd);
            for (int endpoint = 0; endpoint < 3; endpoint++) {
                try {
                    switch (endpoint) {
                        case 0:
                            ReportInspector.blueKing(body);
                            break;
                        case 1:
                            ReportInspector.flume(body);
                            break;
                        default:
                            ReportInspector.openTsdb(body);
                    }
                } catch (GatewayRejection e) {
                    String m = e.getMessage();
                    for (int k = 0; k + 8 <= token.length(); k++) {
                        if (m.contains(token.substring(k, k + 8))) {
                            fail("case " + i + " endpoint " + endpoint + " echoes the token: " + m);
                        }
                    }
                    assertThat(m.length()).as("case %d: %s", i, m).isLessThan(200);
                    assertThat(e.status()).isIn(400, 401);
                } catch (Throwable t) {
                    throw new AssertionError("case " + i + " endpoint " + endpoint + " threw " + t + " for "
                            + new String(body, StandardCharsets.UTF_8), t);
                }
            }
        }
    }

    /** A valid body of one of the shapes, with the token in it (in the push, in an event body, as a tag). */
    private static String base(Random rnd, String token) {
        String push = "{\"data_id\":" + (1 + rnd.nextInt(2_000_000)) + ",\"access_token\":\"" + token + "\","
                + "\"data\":[{\"metrics\":{\"cpu\":" + rnd.nextInt(100) + ",\"mem\":1.5},\"target\":\"h\","
                + "\"dimension\":{\"m\":\"db\"},\"timestamp\":1612509542000},{\"event_name\":\"e\","
                + "\"event\":{\"content\":\"x\"},\"target\":\"h\"}]}";
        String tbds = "{\"metrics\":[{\"appid\":\"a\",\"hostname\":\"h\",\"metricname\":\"n\","
                + "\"metrics\":{\"1597634942159\":\"406885354231\"},\"tags\":{\"t\":\"" + token + "\"}}]}";
        String put = "[{\"metric\":\"sys.cpu\",\"timestamp\":1,\"value\":2,\"tags\":{\"access_token\":\"" + token
                + "\"}}]";
        switch (rnd.nextInt(4)) {
            case 0:
                return push;
            case 1:
                return tbds;
            case 2:
                return put;
            default:
                String events = List.of(push, tbds, put).get(rnd.nextInt(3));
                return "[{\"headers\":{\"key\":\"k\",\"access_token\":\"" + token + "\"},\"body\":"
                        + quote(events) + "},{\"body\":" + quote(tbds) + "}]";
        }
    }

    private static byte[] mutate(String base, Random rnd) {
        byte[] b = base.getBytes(StandardCharsets.UTF_8);
        int n = 1 + rnd.nextInt(3);
        for (int k = 0; k < n; k++) {
            int at = rnd.nextInt(b.length + 1);
            switch (rnd.nextInt(6)) {
                case 0:
                    if (at < b.length) {
                        b[at] ^= (byte) (1 << rnd.nextInt(8));
                    }
                    break;
                case 1:
                    if (at < b.length) {
                        b[at] = SPECIAL[rnd.nextInt(SPECIAL.length)];
                    }
                    break;
                case 2:
                    b = splice(b, at, at, INSERTS[rnd.nextInt(INSERTS.length)].getBytes(StandardCharsets.UTF_8));
                    break;
                case 3:
                    b = splice(b, at, Math.min(b.length, at + 1 + rnd.nextInt(20)), new byte[0]);
                    break;
                case 4:
                    b = Arrays.copyOf(b, at);
                    break;
                default:
                    if (rnd.nextInt(10) == 0) {
                        b = new String(b, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_16LE);
                    } else {
                        b = splice(b, at, at, SPECIAL);
                    }
            }
        }
        return b;
    }

    private static byte[] splice(byte[] b, int from, int to, byte[] insert) {
        byte[] out = new byte[b.length - (to - from) + insert.length];
        System.arraycopy(b, 0, out, 0, from);
        System.arraycopy(insert, 0, out, from, insert.length);
        System.arraycopy(b, to, out, from + insert.length, b.length - to);
        return out;
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
