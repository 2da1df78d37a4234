package io.tsdbpipe.sink;

import java.time.Duration;

/** Sink settings for tests against a local server: the in-memory dead-letter publisher and fast retries. */
final class TestSinkSettings {

    private TestSinkSettings() {}

    static OpenTsdbSinkSettings.Builder fast(String... urls) {
        return OpenTsdbSinkSettings.builder()
                .setEndpoints(urls)
                .setDeadLetterPublisherFactory(TestingDeadLetterPublisher.factory())
                .setRetryInitialBackoff(Duration.ofMillis(5))
                .setRetryMaxBackoff(Duration.ofMillis(50))
                .setRequestTimeout(Duration.ofSeconds(5));
    }
}
