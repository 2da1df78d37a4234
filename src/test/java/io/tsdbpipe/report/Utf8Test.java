package io.tsdbpipe.report;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The UTF-8 check against the JDK's strict decoder, on random and on valid text at every alignment. */
class Utf8Test {

    private static boolean jdkAccepts(byte[] b) {
        for (byte x : b) {
            if (x == 0) {
                return false;
            }
        }
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    @Test
    void agreesWithTheJdksStrictDecoderOnRandomBytes() {
        Random r = new Random(3);
        String sample = "{\"k\":\"h\u00e9llo \u4e16\u754c \ud83d\ude00\"}";
        byte[] valid = sample.getBytes(StandardCharsets.UTF_8);
        for (int n = 0; n < 200_000; n++) {
            byte[] b;
            if (r.nextBoolean()) {
                b = new byte[r.nextInt(40)];
                for (int i = 0; i < b.length; i++) {
                    b[i] = (byte) (r.nextInt(4) == 0 ? 0x80 + r.nextInt(128) : 1 + r.nextInt(127));
                }
            } else {
                int pad = r.nextInt(17);
                b = new byte[pad + valid.length];
                java.util.Arrays.fill(b, 0, pad, (byte) ' ');
                System.arraycopy(valid, 0, b, pad, valid.length);
                if (r.nextBoolean()) {
                    b[r.nextInt(b.length)] = (byte) r.nextInt(256);
                }
            }
            assertThat(Utf8.firstInvalid(b) < 0).as(java.util.Arrays.toString(b)).isEqualTo(jdkAccepts(b));
        }
    }

    @Test
    void namesTheFirstBadByte() {
        byte[] b = "0123456789abcdef\u00e9".getBytes(StandardCharsets.UTF_8);
        assertThat(Utf8.firstInvalid(b)).isEqualTo(-1);
        b[3] = 0;
        assertThat(Utf8.firstInvalid(b)).isEqualTo(3);
        b[3] = '3';
        b[17] = 'x'; // the continuation byte of the e-acute
        assertThat(Utf8.firstInvalid(b)).isEqualTo(16);
    }
}
