package io.tsdbpipe.governance;

import io.tsdbpipe.channel.RateLimitPolicy;
import io.tsdbpipe.channel.ChannelLimits;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;

/**
 * One tenant in one subtask of the series stage: its limits (this subtask's share of them), its counts and its token
 * bucket. About 200 bytes of heap plus its metrics; kept for the life of the task (tenants are few: channels, topics
 * or metric prefixes).
 */
public final class TenantState {

    /** The longest a point waits for its token with back-pressure; a point that would wait longer is dead-lettered. */
    public static final long MAX_WAIT_MILLIS = 100;

    private static final long HOUR = 3_600_000L;
    private static final long DAY = 86_400_000L;

    private final String name;
    private final long dataId;
    private ChannelLimits limits;
    private long registryVersion = -1;

    private long maxActive;
    private long maxPerHour;
    private long maxPerDay;
    private double ratePerSecond;
    private long burst;

    private long active;
    private long hour = -1;
    private long newThisHour;
    private long day = -1;
    private long newToday;
    private final TokenBucket bucket = new TokenBucket();

    private Counter cardinalityRejects;
    private Counter rateLimited;
    private Counter rateLimitWaitMillis;
    private Counter suppressed;

    TenantState(String name) {
        this.name = name;
        this.dataId = TenantResolver.dataIdOf(name);
    }

    public String name() {
        return name;
    }

    /** The data_id whose channel's limits apply, or -1. */
    long dataId() {
        return dataId;
    }

    void limits(ChannelLimits effective, long version, int parallelism) {
        limits = effective;
        registryVersion = version;
        maxActive = share(effective.maxActiveSeries(), parallelism);
        maxPerHour = share(effective.maxNewSeriesPerHour(), parallelism);
        maxPerDay = share(effective.maxNewSeriesPerDay(), parallelism);
        ratePerSecond = (double) effective.datapointsPerSecond() / parallelism;
        long totalBurst = effective.burst() > 0 ? effective.burst() : effective.datapointsPerSecond();
        burst = Math.max(1, share(totalBurst, parallelism));
    }

    long registryVersion() {
        return registryVersion;
    }

    /** A limit split over the subtasks, rounded up (0, no limit, stays 0); no overflow near Long.MAX_VALUE. */
    static long share(long limit, int parallelism) {
        return limit <= 0 ? 0 : limit / parallelism + (limit % parallelism == 0 ? 0 : 1);
    }

    public ChannelLimits limits() {
        return limits;
    }

    public boolean suppression() {
        return limits.suppression();
    }

    public long suppressionMaxIntervalMillis() {
        return limits.suppressionMaxIntervalMillis();
    }

    /** Whether a new series may start now (always, with the guard off); counts nothing. */
    public boolean admitsNewSeries(long nowMillis) {
        if (!limits.cardinality()) {
            return true;
        }
        roll(nowMillis);
        return (maxActive == 0 || active < maxActive)
                && (maxPerHour == 0 || newThisHour < maxPerHour)
                && (maxPerDay == 0 || newToday < maxPerDay);
    }

    /** Which limit a new series is over, for the dead letter's message. */
    public String cardinalityExceeded() {
        if (maxActive != 0 && active >= maxActive) {
            return "its " + limits.maxActiveSeries() + " active series (" + maxActive + " in this subtask)";
        }
        if (maxPerHour != 0 && newThisHour >= maxPerHour) {
            return "its " + limits.maxNewSeriesPerHour() + " new series per hour (" + maxPerHour + " in this subtask)";
        }
        return "its " + limits.maxNewSeriesPerDay() + " new series per day (" + maxPerDay + " in this subtask)";
    }

    public void cardinalityRejected() {
        cardinalityRejects.inc();
    }

    /** A new series started (its first point written). */
    public void seriesStarted(long nowMillis) {
        roll(nowMillis);
        active++;
        newThisHour++;
        newToday++;
    }

    /** A series of this tenant is in the state (read at restore, or one of the earlier format adopted). */
    public void seriesKept() {
        active++;
    }

    /** A series of this tenant was removed (expired). */
    public void seriesRemoved() {
        active--;
    }

    /** Whether the point may go on now: true at once without a rate limit or with a token; else see the policy. */
    public boolean tryTake(long nowMillis) {
        return !limits.rateLimit() || ratePerSecond <= 0 || bucket.tryTake(nowMillis, ratePerSecond, burst);
    }

    public boolean backPressures() {
        return limits.ratePolicy() == RateLimitPolicy.BACK_PRESSURE;
    }

    /**
     * With back-pressure: takes the token anyway and returns how long (ms) the subtask must wait for it, at most
     * {@link #MAX_WAIT_MILLIS}; -1 (nothing taken) when it would have to wait longer.
     */
    public long takeWaiting(long nowMillis) {
        long wait = bucket.take(nowMillis, ratePerSecond, burst, MAX_WAIT_MILLIS);
        if (wait > 0) {
            rateLimitWaitMillis.inc(wait);
        }
        return wait;
    }

    public void rateLimited() {
        rateLimited.inc();
    }

    public String rateLimit() {
        return limits.datapointsPerSecond() + " datapoints/s with a burst of "
                + (limits.burst() > 0 ? limits.burst() : limits.datapointsPerSecond());
    }

    public void suppressed() {
        suppressed.inc();
    }

    /** The held-back point was written after all (the value changed): no longer counted as suppressed. */
    public void unsuppressed() {
        if (suppressed.getCount() > 0) { // held back before a restore: counted by the run before
            suppressed.dec();
        }
    }

    public long suppressedPoints() {
        return suppressed.getCount();
    }

    long active() {
        return active;
    }

    long newThisHour(long nowMillis) {
        roll(nowMillis);
        return newThisHour;
    }

    long newToday(long nowMillis) {
        roll(nowMillis);
        return newToday;
    }

    long hour() {
        return hour;
    }

    long day() {
        return day;
    }

    long newThisHourRaw() {
        return newThisHour;
    }

    long newTodayRaw() {
        return newToday;
    }

    /** Counts of an earlier run of this tenant's subtask share (restored), for the windows they are of. */
    void restoreNew(long restoredHour, long perHour, long restoredDay, long perDay, long nowMillis) {
        roll(nowMillis);
        if (restoredHour == hour) {
            newThisHour = Math.max(newThisHour, perHour);
        }
        if (restoredDay == day) {
            newToday = Math.max(newToday, perDay);
        }
    }

    private void roll(long nowMillis) {
        long h = Math.floorDiv(nowMillis, HOUR);
        if (h != hour) {
            hour = h;
            newThisHour = 0;
        }
        long d = Math.floorDiv(nowMillis, DAY);
        if (d != day) {
            day = d;
            newToday = 0;
        }
    }

    /** Registers the tenant's metrics (group {@code tenant}, then its name as the label value). */
    void register(MetricGroup series, java.util.function.LongSupplier clock) {
        MetricGroup g = series.addGroup("tenant", name);
        cardinalityRejects = g.counter("cardinalityRejects");
        rateLimited = g.counter("rateLimited");
        rateLimitWaitMillis = g.counter("rateLimitWaitMillis");
        suppressed = g.counter("suppressedPoints");
        g.gauge("activeSeries", (Gauge<Long>) () -> active);
        // read on the reporter's thread: no roll() there, a count of a past window reads as 0
        g.gauge("newSeriesThisHour",
                (Gauge<Long>) () -> hour == Math.floorDiv(clock.getAsLong(), HOUR) ? newThisHour : 0L);
        g.gauge("newSeriesToday", (Gauge<Long>) () -> day == Math.floorDiv(clock.getAsLong(), DAY) ? newToday : 0L);
        g.gauge("maxActiveSeries", (Gauge<Long>) () -> limits.cardinality() ? maxActive : 0L);
        g.gauge("maxNewSeriesPerHour", (Gauge<Long>) () -> limits.cardinality() ? maxPerHour : 0L);
        g.gauge("maxNewSeriesPerDay", (Gauge<Long>) () -> limits.cardinality() ? maxPerDay : 0L);
        g.gauge("datapointsPerSecondLimit", (Gauge<Double>) () -> limits.rateLimit() ? ratePerSecond : 0d);
        g.gauge("suppression", (Gauge<Integer>) () -> limits.suppression() ? 1 : 0);
    }
}
