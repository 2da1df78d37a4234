package io.tsdbpipe.sink;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class EndpointSelectorTest {

    private final AtomicLong clock = new AtomicLong(1_000);
    private final List<EndpointSelector.Endpoint> endpoints = List.of(endpoint("a"), endpoint("b"), endpoint("c"));
    private final EndpointSelector selector = new EndpointSelector(endpoints, 100, clock::get);

    private static EndpointSelector.Endpoint endpoint(String name) {
        return new EndpointSelector.Endpoint("http://" + name, URI.create("http://" + name + "/api/put?details"));
    }

    private List<String> next(int n) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            names.add(selector.next().baseUrl().substring(7));
        }
        return names;
    }

    @Test
    void roundRobinOverAll() {
        assertThat(next(6)).containsExactly("a", "b", "c", "a", "b", "c");
    }

    @Test
    void downEndpointIsSkippedDuringTheCooldownAndUsedAgainAfter() {
        assertThat(selector.markDown(endpoints.get(1))).isTrue();
        assertThat(selector.markDown(endpoints.get(1))).as("already down: no new event").isFalse();
        assertThat(next(4)).containsOnly("a", "c");
        clock.addAndGet(99);
        assertThat(next(4)).containsOnly("a", "c");
        clock.addAndGet(1);
        assertThat(selector.isDown(endpoints.get(1))).isFalse();
        assertThat(next(6)).contains("b");
        assertThat(selector.markDown(endpoints.get(1))).as("cool-down over: a new event").isTrue();
    }

    @Test
    void whenAllAreDownTheOneBackFirstIsUsed() {
        selector.markDown(endpoints.get(0));
        clock.addAndGet(10);
        selector.markDown(endpoints.get(2));
        clock.addAndGet(10);
        selector.markDown(endpoints.get(1));
        assertThat(next(3)).containsOnly("a");
        selector.markUp(endpoints.get(2));
        assertThat(next(3)).containsOnly("c");
    }

    @Test
    void anEndpointTakenOutForRefusingWritesStaysOutAndIsUsedOnlyWhenAllRefuse() {
        assertThat(selector.takeOut(endpoints.get(1))).isTrue();
        assertThat(selector.takeOut(endpoints.get(1))).as("already out: no new event").isFalse();
        selector.markUp(endpoints.get(1)); // a late answer to a request sent before does not bring it back
        clock.addAndGet(1_000_000);
        assertThat(next(6)).containsOnly("a", "c");
        selector.markDown(endpoints.get(0));
        selector.markDown(endpoints.get(2));
        assertThat(next(3)).as("cooling down beats refusing").doesNotContain("b");
        assertThat(selector.refusing()).isEqualTo(1);
        assertThat(selector.allRefusing()).isFalse();
        selector.takeOut(endpoints.get(0));
        selector.takeOut(endpoints.get(2));
        assertThat(selector.allRefusing()).isTrue();
        assertThat(next(3)).as("still an endpoint to fail on").hasSize(3);
    }
}
