package io.tsdbpipe.sink;

import io.tsdbpipe.point.DataPoint;
import io.tsdbpipe.tools.bench.CountingOpenTsdb;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The benchmark's counting endpoint is only a valid receiver if the job's own sink takes its answers as proof: every
 * point written once, none retried, none dead-lettered.
 */
class OpenTsdbSinkIntoCountingEndpointTest {

    private CountingOpenTsdb endpoint;

    @BeforeEach
    void setUp() throws Exception {
        TestingDeadLetterPublisher.reset();
        endpoint = CountingOpenTsdb.start(0, 2);
    }

    @AfterEach
    void tearDown() {
        endpoint.close();
    }

    @ParameterizedTest(name = "gzip {0}")
    @ValueSource(booleans = {true, false})
    void everyPointIsProvenStoredAtOnce(boolean gzip) throws Exception {
        List<DataPoint> points = TestPoints.mixed(3000, 0);
        OpenTsdbSink sink = OpenTsdbSink.builder()
                .setSettings(TestSinkSettings.fast(endpoint.url()).setGzip(gzip).build())
                .build();
        try (OpenTsdbSinkWriter writer = (OpenTsdbSinkWriter) sink.createWriter(new TestingWriterInitContext())) {
            for (DataPoint p : points) {
                writer.write(p, null);
            }
            writer.flush(true);
            assertThat(writer.metrics().written.getCount()).isEqualTo(points.size());
            assertThat(writer.metrics().retried.getCount()).isZero();
            assertThat(writer.metrics().requests2xx.getCount()).isGreaterThan(1);
        }
        assertThat(endpoint.points()).isEqualTo(points.size());
        assertThat(TestingDeadLetterPublisher.published()).isEmpty();
    }
}
