package io.tsdbpipe.chaos;

import java.util.List;
import java.util.Locale;

/**
 * What one conservation check found: every input accounted for, or not.
 *
 * @param inputs Kafka records produced
 * @param expectedPoints distinct datapoints (series + instant) that must be in OpenTSDB
 * @param expectedRejects refusals that must be in the dead-letter topic
 * @param written expected datapoints found in OpenTSDB with their exact value
 * @param deadLettered expected refusals found in the dead-letter topic (with their reason and origin)
 * @param lost expected datapoints absent from OpenTSDB plus expected refusals absent from the dead-letter topic
 * @param corrupted series that fail to query ("Duplicate timestamp") or hold a wrong value
 * @param unexpected datapoints in OpenTSDB or dead-letter records that no input explains
 * @param duplicates dead-letter records seen more than once (at-least-once: harmless)
 * @param leaked dead-letter records and log lines that hold a token
 * @param problems the first diagnostics, one line each
 */
record ConservationReport(
        String scenario,
        int inputs,
        int expectedPoints,
        int expectedRejects,
        int written,
        int deadLettered,
        int lost,
        int corrupted,
        int unexpected,
        int duplicates,
        int leaked,
        JobStats job,
        List<String> problems) {

    /** Peak heap, checkpoints and restarts of the job (summed over every job of a scenario). */
    record JobStats(long peakHeapMb, long checkpointsCompleted, long checkpointsFailed, long restarts) {
        static final JobStats NONE = new JobStats(0, 0, 0, 0);

        JobStats plus(JobStats o) {
            return new JobStats(Math.max(peakHeapMb, o.peakHeapMb), checkpointsCompleted + o.checkpointsCompleted,
                    checkpointsFailed + o.checkpointsFailed, restarts + o.restarts);
        }
    }

    static final String HEADER = String.format(Locale.ROOT, "| %-34s | %6s | %7s | %13s | %4s | %9s | %10s | %10s | %6s | %9s | %11s | %8s |",
            "scenario", "inputs", "written", "dead-lettered", "lost", "corrupted", "unexpected", "duplicates",
            "leaked", "peak heap", "checkpoints", "restarts");

    /** Everything expected was found (the wait can end). */
    boolean complete() {
        return written == expectedPoints && deadLettered == expectedRejects;
    }

    /** Nothing lost, corrupted, unexplained or leaked. */
    boolean clean() {
        return lost == 0 && corrupted == 0 && unexpected == 0 && leaked == 0;
    }

    ConservationReport withJob(JobStats stats) {
        return new ConservationReport(scenario, inputs, expectedPoints, expectedRejects, written, deadLettered, lost,
                corrupted, unexpected, duplicates, leaked, stats, problems);
    }

    ConservationReport withProblem(String problem) {
        List<String> more = new java.util.ArrayList<>(problems);
        more.add(0, problem);
        return new ConservationReport(scenario, inputs, expectedPoints, expectedRejects, written, deadLettered, lost,
                corrupted, unexpected, duplicates, leaked, job, List.copyOf(more));
    }

    /** One row of the table in docs/reliability.md. */
    String row() {
        return String.format(Locale.ROOT, "| %-34s | %6d | %7d | %13d | %4d | %9d | %10d | %10d | %6d | %6d MB | %5d / %3d | %8d |",
                scenario, inputs, written, deadLettered, lost, corrupted, unexpected, duplicates, leaked,
                job.peakHeapMb(), job.checkpointsCompleted(), job.checkpointsFailed(), job.restarts());
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(HEADER).append('\n').append(row());
        sb.append(String.format(Locale.ROOT, "%n  expected: %d datapoints, %d refusals", expectedPoints, expectedRejects));
        problems.forEach(p -> sb.append("\n  - ").append(p));
        return sb.toString();
    }
}
