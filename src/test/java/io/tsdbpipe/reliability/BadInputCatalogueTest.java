package io.tsdbpipe.reliability;

import io.tsdbpipe.event.Event;
import io.tsdbpipe.deadletter.Origin;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every case of the {@link BadInputCatalogue} through the job's decode stage (both variants, with Flink's operator
 * harnesses): the documented reason codes and datapoints, nothing thrown, nothing lost, no token in any output, and
 * the same outcome whether or not the job follows a channel topic. A failing case that names a known defect of issue 7
 * is that defect; any other failure is a new finding.
 */
class BadInputCatalogueTest {

    /** The reason codes before issue 7: a code added since may refuse a report with repeated keys. */
    private static final Set<String> ORIGINAL_CODES = Set.of("malformed_json", "unknown_format", "empty_report",
            "payload_too_large", "missing_field", "invalid_metric", "invalid_tag", "no_tags", "too_many_tags",
            "invalid_timestamp", "timestamp_out_of_window", "invalid_value", "conflicting_duplicate", "tsdb_rejected",
            "unknown_channel", "auth_failed", "late_event", "channel_limit_exceeded");

    private static final Origin ORIGIN = new Origin(ReliabilityFixture.TOPIC, 3, 1234L);

    private static DecodeDriver plain;
    private static DecodeDriver withChannels;
    private static final DecodeInvariants INVARIANTS = new DecodeInvariants(ReliabilityFixture.TOKENS);

    @BeforeAll
    static void open() throws Exception {
        plain = DecodeDriver.reportDecodeFunction(ReliabilityFixture.decoder());
        withChannels = DecodeDriver.channelDecodeFunction(ReliabilityFixture.decoder());
    }

    @AfterAll
    static void close() throws Exception {
        plain.close();
        withChannels.close();
    }

    static List<BadInputCatalogue.Case> cases() {
        return BadInputCatalogue.cases();
    }

    @Test
    void caseNamesAreUnique() {
        Set<String> names = new HashSet<>();
        for (BadInputCatalogue.Case c : cases()) {
            assertThat(names.add(c.name)).as("duplicate case name %s", c.name).isTrue();
        }
        assertThat(names).hasSizeGreaterThan(200);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void eachCaseHasItsDocumentedOutcome(BadInputCatalogue.Case c) {
        DecodeDriver.Outcome o = decode(plain, c);
        String context = describe(c, o);

        List<String> violations = new ArrayList<>(INVARIANTS.check(o, ORIGIN, ReliabilityFixture.NOW));
        if (c.tokenMayAppear != null) {
            violations.removeIf(v -> v.startsWith("leak: "));
        }
        assertThat(violations).as(context).isEmpty();

        if (c.wholeReportRefusal) {
            assertThat(o.points).as(context).isEmpty();
            assertThat(o.events).as(context).isEmpty();
            assertThat(o.reasons()).as(context).hasSize(1);
            String code = o.reasons().get(0);
            assertThat(code.equals("malformed_json") || !ORIGINAL_CODES.contains(code))
                    .as(context + "\nexpected malformed_json or a new documented code, got " + code).isTrue();
        } else {
            assertThat(o.reasons()).as(context).containsExactlyInAnyOrderElementsOf(c.reasons);
            assertThat(o.pointTexts()).as(context).containsExactlyInAnyOrderElementsOf(c.points);
            List<String> events = new ArrayList<>();
            for (Event e : o.events) {
                events.add(e.eventName() + "@" + e.timestampMillis());
            }
            assertThat(events).as(context).containsExactlyInAnyOrderElementsOf(c.events);
        }

        DecodeDriver.Outcome other = decode(withChannels, c);
        assertThat(other.pointTexts()).as("ChannelDecodeFunction, " + context).isEqualTo(o.pointTexts());
        assertThat(other.reasons()).as("ChannelDecodeFunction, " + context).isEqualTo(o.reasons());
        assertThat(other.events).as("ChannelDecodeFunction, " + context).isEqualTo(o.events);
    }

    private static DecodeDriver.Outcome decode(DecodeDriver driver, BadInputCatalogue.Case c) {
        return driver.decode(c.payload, ORIGIN, ReliabilityFixture.KAFKA_TIMESTAMP, ReliabilityFixture.NOW);
    }

    private static String describe(BadInputCatalogue.Case c, DecodeDriver.Outcome o) {
        String what = c.defect == null ? " (no known defect: a new finding)"
                : c.defect.startsWith("new finding") ? " (" + c.defect + ")" : " (known: " + c.defect + ")";
        return "case \"" + c.name + "\"" + what + "\n  input: " + Mutations.printable(c.payload, 400) + "\n  outcome: " + o;
    }
}
