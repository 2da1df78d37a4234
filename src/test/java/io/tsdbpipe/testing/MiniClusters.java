package io.tsdbpipe.testing;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

/** The MiniCluster of the job ITCases. */
public final class MiniClusters {

    private MiniClusters() {}

    /** One TaskManager with {@code slots} slots, for {@code @RegisterExtension static final}. */
    public static MiniClusterExtension oneTaskManager(int slots) {
        return new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
                .setNumberTaskManagers(1)
                .setNumberSlotsPerTaskManager(slots)
                .build());
    }
}
