package io.tsdbpipe.gateway;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class ChannelRateLimiterTest {

    private static final long MS = 1_000_000L;

    private final AtomicLong clock = new AtomicLong(1_000_000 * MS);

    private ChannelRateLimiter limiter(RateLimit defaults, Map<Long, RateLimit> perChannel) {
        return new ChannelRateLimiter(defaults, perChannel, clock::get);
    }

    private static int admitted(ChannelRateLimiter l, long dataId, int datapoints, int attempts) {
        int n = 0;
        for (int i = 0; i < attempts; i++) {
            if (l.tryAcquire(dataId, datapoints)) {
                n++;
            }
        }
        return n;
    }

    @Test
    void requestsBurstOneSecondThenRefillAtTheRate() {
        ChannelRateLimiter l = limiter(new RateLimit(10, 0), Map.of());
        assertThat(admitted(l, 1, 5, 50)).isEqualTo(10);
        clock.addAndGet(100 * MS);
        assertThat(admitted(l, 1, 5, 50)).isEqualTo(1);
        clock.addAndGet(350 * MS);
        assertThat(admitted(l, 1, 5, 50)).isEqualTo(3); // 3.5 tokens: the half stays
        clock.addAndGet(50 * MS);
        assertThat(admitted(l, 1, 5, 50)).isEqualTo(1);
        clock.addAndGet(60_000 * MS); // idle for a minute: the burst is still one second's worth
        assertThat(admitted(l, 1, 5, 50)).isEqualTo(10);
    }

    @Test
    void datapointsAreCountedAndARefusalTakesNothing() {
        ChannelRateLimiter l = limiter(new RateLimit(2, 100), Map.of());
        assertThat(l.tryAcquire(1, 50)).isTrue();
        assertThat(l.tryAcquire(1, 80)).isFalse(); // 50 datapoints left: refused, the request token kept
        assertThat(l.tryAcquire(1, 50)).isTrue(); // the second request of the second
        assertThat(l.tryAcquire(1, 0)).isFalse(); // no request token left
        clock.addAndGet(500 * MS);
        assertThat(l.tryAcquire(1, 51)).isFalse(); // 1 request, 50 datapoints
        assertThat(l.tryAcquire(1, 50)).isTrue();
    }

    @Test
    void aRequestLargerThanTheBurstPassesOnAFullBucketAndLeavesADebt() {
        ChannelRateLimiter l = limiter(new RateLimit(0, 100), Map.of());
        assertThat(l.tryAcquire(1, 250)).isTrue();
        assertThat(l.tryAcquire(1, 1)).isFalse(); // -150
        clock.addAndGet(1_500 * MS);
        assertThat(l.tryAcquire(1, 1)).isFalse(); // 0
        clock.addAndGet(10 * MS);
        assertThat(l.tryAcquire(1, 1)).isTrue(); // 1 -> 0
        clock.addAndGet(990 * MS); // 99
        assertThat(l.tryAcquire(1, 250)).isFalse(); // needs a full bucket
        clock.addAndGet(10 * MS);
        assertThat(l.tryAcquire(1, 250)).isTrue();
    }

    @Test
    void aRateBelowOnePerSecondStillAdmits() {
        ChannelRateLimiter l = limiter(new RateLimit(0.5, 0), Map.of());
        assertThat(l.tryAcquire(1, 1)).isTrue();
        clock.addAndGet(1_999 * MS);
        assertThat(l.tryAcquire(1, 1)).isFalse();
        clock.addAndGet(1 * MS);
        assertThat(l.tryAcquire(1, 1)).isTrue();
    }

    @Test
    void channelsHaveBucketsOfTheirOwnAndLimitsOfTheirOwn() {
        ChannelRateLimiter l = limiter(new RateLimit(2, 0),
                Map.of(7L, new RateLimit(5, 0), 8L, RateLimit.UNLIMITED));
        assertThat(admitted(l, 1, 1, 10)).isEqualTo(2);
        assertThat(admitted(l, 2, 1, 10)).isEqualTo(2);
        assertThat(admitted(l, 7, 1, 10)).isEqualTo(5);
        assertThat(admitted(l, 8, 1_000_000, 10_000)).isEqualTo(10_000);
        assertThat(l.buckets()).isEqualTo(3); // none for the unlimited channel
    }

    @Test
    void idleChannelsAreDroppedWithoutChangingAnAnswer() {
        ChannelRateLimiter l = limiter(new RateLimit(3, 0), Map.of());
        for (long id = 1; id <= 1000; id++) {
            assertThat(admitted(l, id, 1, 2)).isEqualTo(2);
        }
        assertThat(l.buckets()).isEqualTo(1000);
        clock.addAndGet(400 * MS); // not full again yet: channel 1 has 1.2 + 1 = 2.2
        assertThat(admitted(l, 1, 1, 1)).isEqualTo(1);
        clock.addAndGet(700 * MS); // a sweep is due; channel 1 is at 3 - 1 + ... -> full again too
        assertThat(admitted(l, 2, 1, 10)).isEqualTo(3);
        assertThat(l.buckets()).isEqualTo(1); // only channel 2, which was just used
        assertThat(admitted(l, 5, 1, 10)).isEqualTo(3); // a dropped channel starts full, as it was
    }

    @Test
    void concurrentCallersGetExactlyTheBurstBetweenThem() throws Exception {
        ChannelRateLimiter l = limiter(new RateLimit(1000, 20_000), Map.of());
        int threads = 8;
        AtomicInteger admitted = new AtomicInteger();
        List<Integer> perThread = new ArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> ts = new ArrayList<>();
        int[] counts = new int[threads];
        for (int t = 0; t < threads; t++) {
            int me = t;
            Thread th = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 2_000; i++) {
                    if (l.tryAcquire(42, 10)) {
                        admitted.incrementAndGet();
                        counts[me]++;
                    }
                }
            });
            th.start();
            ts.add(th);
        }
        go.countDown();
        for (Thread th : ts) {
            th.join();
        }
        for (int c : counts) {
            perThread.add(c);
        }
        assertThat(admitted.get()).as("per thread %s", perThread).isEqualTo(1000);
        clock.addAndGet(250 * MS);
        assertThat(admitted(l, 42, 10, 1000)).isEqualTo(250);
    }
}
