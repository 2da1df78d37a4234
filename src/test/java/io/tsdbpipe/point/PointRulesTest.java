package io.tsdbpipe.point;

import io.tsdbpipe.deadletter.Origin;
import io.tsdbpipe.deadletter.RejectReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PointRulesTest {

    private static final long NOW = 1_700_000_000_000L;

    private final PointRules rules = PointRules.defaults();

    @ParameterizedTest
    @ValueSource(strings = {"sys.cpu.user", "a-b_c.d/e", "温度", "Ünïcode", "0", "mking.network"})
    void acceptsNamesOpenTsdbAccepts(String name) {
        assertThat(PointRules.isValidName(name)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "bad metric", "bad!", "a:b", "tab\t", "quote\"", "emoji\uD83D\uDE00", "a=b", "a,b"})
    void refusesNamesOpenTsdbRefuses(String name) {
        assertThat(PointRules.isValidName(name)).isFalse();
    }

    @Test
    void metricErrorsNameTheMetric() {
        assertThatThrownBy(() -> rules.metric("bad metric!"))
                .isInstanceOfSatisfying(InvalidPointException.class,
                        e -> assertThat(e.reason()).isEqualTo(RejectReason.INVALID_METRIC))
                .hasMessageContaining("bad metric!");
        assertThatThrownBy(() -> rules.metric(""))
                .isInstanceOfSatisfying(InvalidPointException.class,
                        e -> assertThat(e.reason()).isEqualTo(RejectReason.INVALID_METRIC));
    }

    @Test
    void tagRulesCheckKeysAndValues() {
        assertThatThrownBy(() -> rules.tag("host", "a b"))
                .isInstanceOfSatisfying(InvalidPointException.class,
                        e -> assertThat(e.reason()).isEqualTo(RejectReason.INVALID_TAG))
                .hasMessageContaining("host");
        assertThatThrownBy(() -> rules.tag("", "x"))
                .isInstanceOfSatisfying(InvalidPointException.class,
                        e -> assertThat(e.reason()).isEqualTo(RejectReason.INVALID_TAG));
        assertThatThrownBy(() -> rules.tag("k", null))
                .isInstanceOfSatisfying(InvalidPointException.class,
                        e -> assertThat(e.reason()).isEqualTo(RejectReason.INVALID_TAG));
    }

    @Test
    void sortsTagsByKeyAndCountsThem() throws Exception {
        String[] flat = {"type", "bytes_sent", "hostname", "h1", "instance_id", "lo"};
        assertThat(rules.sortedTags(flat, 3))
                .containsExactly("hostname", "h1", "instance_id", "lo", "type", "bytes_sent");
        assertThatThrownBy(() -> rules.sortedTags(new String[0], 0))
                .isInstanceOfSatisfying(InvalidPointException.class,
                        e -> assertThat(e.reason()).isEqualTo(RejectReason.NO_TAGS));
        String[] nine = new String[18];
        for (int i = 0; i < 9; i++) {
            nine[2 * i] = "k" + i;
            nine[2 * i + 1] = "v";
        }
        assertThatThrownBy(() -> rules.sortedTags(nine, 9))
                .isInstanceOfSatisfying(InvalidPointException.class,
                        e -> assertThat(e.reason()).isEqualTo(RejectReason.TOO_MANY_TAGS));
        assertThat(rules.sortedTags(nine, 8)).hasSize(16);
    }

    @Test
    void keepsSecondsAndMillisecondsAsReceived() throws Exception {
        assertThat(rules.timestamp("1597634942", NOW)).isEqualTo(1597634942L);
        assertThat(rules.timestamp("1597634942159", NOW)).isEqualTo(1597634942159L);
        assertThat(rules.timestamp(1597634942159L, NOW)).isEqualTo(1597634942159L);
    }

    @Test
    void convertsPrecisionWhenConfigured() throws Exception {
        PointRules seconds = new PointRules(8, 3_600_000L, 0L, TimestampPrecision.SECONDS);
        PointRules millis = new PointRules(8, 3_600_000L, 0L, TimestampPrecision.MILLISECONDS);
        assertThat(seconds.timestamp(1597634942159L, NOW)).isEqualTo(1597634942L);
        assertThat(seconds.timestamp(1597634942L, NOW)).isEqualTo(1597634942L);
        assertThat(millis.timestamp(1597634942L, NOW)).isEqualTo(1597634942000L);
        assertThat(millis.timestamp(1597634942159L, NOW)).isEqualTo(1597634942159L);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "0", "-1", "12a", "1.5", "15976349421590", " 1597634942"})
    void refusesTimestampsThatAreNotPositiveIntegersOfAtMost13Digits(String text) {
        assertThatThrownBy(() -> rules.timestamp(text, NOW))
                .isInstanceOfSatisfying(InvalidPointException.class,
                        e -> assertThat(e.reason()).isEqualTo(RejectReason.INVALID_TIMESTAMP));
    }

    @Test
    void appliesTheTimeWindow() throws Exception {
        long nowSeconds = NOW / 1000;
        assertThat(rules.timestamp(nowSeconds + 3600, NOW)).isEqualTo(nowSeconds + 3600);
        assertThatThrownBy(() -> rules.timestamp(nowSeconds + 3601, NOW))
                .isInstanceOfSatisfying(InvalidPointException.class,
                        e -> assertThat(e.reason()).isEqualTo(RejectReason.TIMESTAMP_OUT_OF_WINDOW));
        assertThatThrownBy(() -> rules.timestamp(NOW + 3_600_001L, NOW))
                .isInstanceOfSatisfying(InvalidPointException.class,
                        e -> assertThat(e.reason()).isEqualTo(RejectReason.TIMESTAMP_OUT_OF_WINDOW));
        // no past limit by default: backfills are normal
        assertThat(rules.timestamp(1L, NOW)).isEqualTo(1L);
        PointRules lastDay = new PointRules(8, 0L, 86_400_000L, TimestampPrecision.KEEP);
        assertThatThrownBy(() -> lastDay.timestamp(nowSeconds - 86_401, NOW))
                .isInstanceOfSatisfying(InvalidPointException.class,
                        e -> assertThat(e.reason()).isEqualTo(RejectReason.TIMESTAMP_OUT_OF_WINDOW));
    }

    @Test
    void parsesValuesLikeOpenTsdb() throws Exception {
        String[] tags = {"host", "a"};
        DataPoint big = PointRules.point("m", tags, 1L, "406885354231", Origin.NONE);
        assertThat(big.isFloating()).isFalse();
        assertThat(big.longValue()).isEqualTo(406885354231L);
        assertThat(PointRules.point("m", tags, 1L, "-5", Origin.NONE).longValue()).isEqualTo(-5L);
        DataPoint f = PointRules.point("m", tags, 1L, "1.5", Origin.NONE);
        assertThat(f.isFloating()).isTrue();
        assertThat(f.doubleValue()).isEqualTo(1.5d);
        assertThat(PointRules.point("m", tags, 1L, "1e3", Origin.NONE).doubleValue()).isEqualTo(1000d);
        assertThat(PointRules.point("m", tags, 1L, "-2.5E-3", Origin.NONE).doubleValue()).isEqualTo(-0.0025d);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "NaN", "Infinity", "-Infinity", "abc", "1e999", "99999999999999999999", "0x10", "1 ", "--1"})
    void refusesValuesThatAreNotFiniteNumbers(String value) {
        assertThatThrownBy(() -> PointRules.point("m", new String[] {"h", "a"}, 1L, value, Origin.NONE))
                .isInstanceOfSatisfying(InvalidPointException.class,
                        e -> assertThat(e.reason()).isEqualTo(RejectReason.INVALID_VALUE));
    }

    @Test
    void refusesNonFiniteDoubles() {
        assertThatThrownBy(() -> PointRules.point("m", new String[] {"h", "a"}, 1L, Double.NaN, Origin.NONE))
                .isInstanceOfSatisfying(InvalidPointException.class,
                        e -> assertThat(e.reason()).isEqualTo(RejectReason.INVALID_VALUE));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1e-400", "-1E-500", "0.0000000001e-390", "1e400", "-1e400", "9223372036854775808",
        "-9223372036854775809", "123456789012345678901234567890"})
    void refusesValuesThatUnderflowToZeroOrOverflow(String value) {
        assertThatThrownBy(() -> PointRules.point("m", new String[] {"h", "a"}, 1L, value, Origin.NONE))
                .isInstanceOfSatisfying(InvalidPointException.class,
                        e -> assertThat(e.reason()).isEqualTo(RejectReason.INVALID_VALUE));
    }

    @Test
    void keepsRealZerosAndSubnormals() throws Exception {
        String[] tags = {"h", "a"};
        assertThat(PointRules.point("m", tags, 1L, "0.0", Origin.NONE).doubleValue()).isEqualTo(0d);
        assertThat(PointRules.point("m", tags, 1L, "-0e-999", Origin.NONE).doubleValue()).isEqualTo(-0d);
        assertThat(PointRules.point("m", tags, 1L, "000.000E5", Origin.NONE).doubleValue()).isEqualTo(0d);
        assertThat(PointRules.point("m", tags, 1L, "4.9e-324", Origin.NONE).doubleValue()).isEqualTo(Double.MIN_VALUE);
        assertThat(PointRules.point("m", tags, 1L, "9223372036854775807", Origin.NONE).longValue())
                .isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void aTagNamedAccessTokenIsRefusedWithoutNamingItsValue() {
        for (String key : new String[] {"access_token", "ACCESS_TOKEN"}) {
            assertThatThrownBy(() -> PointRules.defaults().tag(key, "s3cretT0kenValue"))
                    .isInstanceOfSatisfying(InvalidPointException.class, e -> {
                        assertThat(e.reason()).isEqualTo(RejectReason.INVALID_TAG);
                        assertThat(e.getMessage()).doesNotContain("s3cretT0kenValue");
                    });
        }
    }
}
