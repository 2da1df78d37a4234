package io.tsdbpipe.sink;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ExponentialBackoffTest {

    private final ExponentialBackoff backoff = new ExponentialBackoff(Duration.ofMillis(100), Duration.ofSeconds(10));

    @Test
    void capDoublesPerAttemptUpToTheMax() {
        assertThat(backoff.capMillis(1)).isEqualTo(100);
        assertThat(backoff.capMillis(2)).isEqualTo(200);
        assertThat(backoff.capMillis(3)).isEqualTo(400);
        assertThat(backoff.capMillis(7)).isEqualTo(6400);
        assertThat(backoff.capMillis(8)).isEqualTo(10_000);
        assertThat(backoff.capMillis(60)).isEqualTo(10_000);
        assertThat(backoff.capMillis(Integer.MAX_VALUE)).isEqualTo(10_000);
    }

    @Test
    void delayIsBetweenHalfTheCapAndTheCapAndJittered() {
        for (int attempt = 1; attempt <= 40; attempt++) {
            long cap = backoff.capMillis(attempt);
            java.util.Set<Long> seen = new java.util.HashSet<>();
            for (int i = 0; i < 200; i++) {
                long d = backoff.delayMillis(attempt);
                assertThat(d).isBetween(cap / 2, cap);
                seen.add(d);
            }
            assertThat(seen).as("jitter at attempt %s", attempt).hasSizeGreaterThan(1);
        }
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> new ExponentialBackoff(Duration.ZERO, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ExponentialBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
