package io.tsdbpipe.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.assertj.core.api.Assertions.assertThat;

/** Collects the conservation table of a run in {@code target/chaos/results.md} (scripts/chaos.sh prints it). */
final class ChaosTable {

    static final Path FILE = Path.of("target", "chaos", "results.md");

    private ChaosTable() {}

    /** Prints the report, appends its row to the table, and asserts nothing was lost, corrupted or leaked. */
    static void recordAndAssertClean(ConservationReport report) {
        record(report);
        assertThat(report.clean())
                .as("%s: 0 lost, 0 corrupted, 0 unexplained, 0 leaked expected%n%s", report.scenario(), report)
                .isTrue();
    }

    static synchronized void record(ConservationReport report) {
        System.out.println("[chaos] " + report.scenario() + "\n" + report);
        try {
            Files.createDirectories(FILE.getParent());
            if (!Files.exists(FILE)) {
                Files.writeString(FILE, ConservationReport.HEADER + "\n" + ConservationReport.HEADER.replaceAll("[^|]", "-") + "\n",
                        StandardCharsets.UTF_8);
            }
            Files.writeString(FILE, report.row() + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            Path details = FILE.resolveSibling("details.txt");
            Files.writeString(details, report + "\n\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
