package io.tsdbpipe.sink;

import io.tsdbpipe.testing.TestingOpenTsdbServer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.util.ArrayList;
import java.util.List;

/** What the writer tests share: a fresh OpenTSDB test server and dead-letter publisher, and closing what a test opens. */
abstract class WriterTestBase {

    private final List<AutoCloseable> closeables = new ArrayList<>();
    TestingOpenTsdbServer server;

    @BeforeEach
    void setUp() {
        TestingDeadLetterPublisher.reset();
        server = open(TestingOpenTsdbServer.start());
    }

    /** Closes in reverse order: writers before the server they talk to. */
    @AfterEach
    void tearDown() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    <T extends AutoCloseable> T open(T closeable) {
        closeables.add(closeable);
        return closeable;
    }
}
