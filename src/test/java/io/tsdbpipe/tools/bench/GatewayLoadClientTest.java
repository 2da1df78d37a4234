package io.tsdbpipe.tools.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The load client's requests carry ids that its ledger finds again in the records; the ledger's counts. */
class GatewayLoadClientTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] report(String run, long id) {
        return utf8("{\"metrics\":[{\"appid\":\"a\",\"metrics\":{\"1\":\"2\"}}]," + DeliveryLedger.idField(run, id) + "}");
    }

    @Test
    void acknowledgedReportsMissingInTheTopicAreLost() {
        DeliveryLedger ledger = new DeliveryLedger("r1");
        DeliveryLedger worker = new DeliveryLedger("r1");
        for (long id = 0; id < 6; id++) {
            worker.sent(id);
        }
        // 0..3 answered 2xx; 4 answered 503 but Kafka has it (a timed-out acknowledgement); 5 answered 503, absent
        for (long id = 0; id < 4; id++) {
            worker.acked(id);
        }
        ledger.merge(worker);
        ledger.found(report("r1", 0));
        ledger.found(report("r1", 1));
        ledger.found(report("r1", 1)); // a producer retry that was not idempotent
        ledger.found(report("r1", 3));
        ledger.found(report("r1", 4));
        ledger.found(report("r0", 2)); // an earlier run's record in the same topic
        ledger.found(utf8("{\"metrics\":[]}"));
        ledger.found(report("r1", 99)); // never sent

        DeliveryLedger.Result r = ledger.result();
        assertThat(r.sent()).isEqualTo(6);
        assertThat(r.acked()).isEqualTo(4);
        assertThat(r.found()).isEqualTo(3);
        assertThat(r.lost()).isEqualTo(1); // id 2
        assertThat(r.unackedFound()).isEqualTo(1);
        assertThat(r.duplicates()).isEqualTo(1);
        assertThat(r.foreign()).isEqualTo(3);
    }

    @Test
    void theIdIsTheLastMarkerOfTheRunAndMustBeComplete() {
        DeliveryLedger ledger = new DeliveryLedger("ab");
        assertThat(ledger.idOf(report("ab", 1234567890123L))).isEqualTo(1234567890123L);
        assertThat(ledger.idOf(report("abc", 7))).isEqualTo(-1);
        assertThat(ledger.idOf(utf8("{\"bench_id\":\"ab-12"))).isEqualTo(-1);
        assertThat(ledger.idOf(utf8("{\"bench_id\":\"ab-\"}"))).isEqualTo(-1);
        assertThat(ledger.idOf(utf8("x\"bench_id\":\"ab-5\",\"bench_id\":\"ab-6\"}"))).isEqualTo(6);
    }

    @Test
    void flumeRequestsAreJsonHandlerEnvelopesOfReportsThatCarryConsecutiveIds() throws Exception {
        GatewayLoadClient.Options o = GatewayLoadClient.parse(new String[] {
            "--url", "http://127.0.0.1:1/", "--points-per-request", "20", "--events-per-request", "2", "--templates", "3"});
        List<GatewayLoadClient.Template> templates = GatewayLoadClient.templates(o, "run7");
        assertThat(templates).hasSize(3);
        DeliveryLedger ledger = new DeliveryLedger("run7");
        JsonNode envelope = JSON.readTree(templates.get(1).body(40));
        assertThat(envelope.isArray()).isTrue();
        assertThat(envelope).hasSize(2);
        for (int i = 0; i < 2; i++) {
            JsonNode event = envelope.get(i);
            assertThat(event.get("headers").isObject()).isTrue();
            String body = event.get("body").asText();
            JsonNode report = JSON.readTree(body); // the event body is a TBDS report
            assertThat(report.get("metrics").isArray()).isTrue();
            assertThat(report.get("bench_id").asText()).isEqualTo("run7-" + (40 + i));
            assertThat(ledger.idOf(utf8(body))).isEqualTo(40 + i);
        }
        int points = 0;
        for (JsonNode event : envelope) {
            for (JsonNode item : JSON.readTree(event.get("body").asText()).get("metrics")) {
                points += item.get("metrics").size();
            }
        }
        assertThat(points).isEqualTo(20);
    }

    @Test
    void blueKingRequestsArePushesOfTheGivenChannel() throws Exception {
        GatewayLoadClient.Options o = GatewayLoadClient.parse(new String[] {
            "--url", "http://127.0.0.1:1/v2/push/", "--shape", "blueking", "--data-id", "1500042",
            "--token", "t\"ok", "--templates", "1"});
        byte[] body = GatewayLoadClient.templates(o, "r").get(0).body(5);
        JsonNode push = JSON.readTree(body);
        assertThat(push.get("data_id").asLong()).isEqualTo(1500042);
        assertThat(push.get("access_token").asText()).isEqualTo("t\"ok");
        assertThat(push.get("data").isArray()).isTrue();
        assertThat(new DeliveryLedger("r").idOf(body)).isEqualTo(5);
    }
}
