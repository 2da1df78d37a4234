import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hbase.HBaseConfiguration;
import org.apache.hadoop.hbase.TableName;
import org.apache.hadoop.hbase.client.Admin;
import org.apache.hadoop.hbase.client.ColumnFamilyDescriptor;
import org.apache.hadoop.hbase.client.ColumnFamilyDescriptorBuilder;
import org.apache.hadoop.hbase.client.Connection;
import org.apache.hadoop.hbase.client.ConnectionFactory;
import org.apache.hadoop.hbase.client.TableDescriptorBuilder;
import org.apache.hadoop.hbase.io.compress.Compression;
import org.apache.hadoop.hbase.io.encoding.DataBlockEncoding;
import org.apache.hadoop.hbase.regionserver.BloomType;
import org.apache.hadoop.hbase.util.Bytes;

/**
 * Creates OpenTSDB 2.4's four HBase tables if they are absent, like OpenTSDB's create_table.sh does
 * (BLOOMFILTER ROW, DATA_BLOCK_ENCODING DIFF, no compression), without the JRuby HBase shell.
 *
 * <p>Run with the Java 17 source launcher on the HBase classpath (scripts/opentsdb.sh does this):
 * <pre>java -cp "&lt;hbase jars&gt;/*:&lt;dir with hbase-site.xml&gt;" CreateOpenTsdbTables.java [ZK_HOST:ZK_PORT]</pre>
 * Without an argument the ZooKeeper quorum comes from hbase-site.xml on the classpath.
 */
public class CreateOpenTsdbTables {

    private record Table(String name, int maxVersions, String... families) {}

    private static final List<Table> TABLES = List.of(
            new Table("tsdb-uid", Integer.MAX_VALUE, "id", "name"),
            new Table("tsdb", 1, "t"),
            new Table("tsdb-tree", 1, "t"),
            new Table("tsdb-meta", Integer.MAX_VALUE, "name"));

    public static void main(String[] args) throws Exception {
        Configuration conf = HBaseConfiguration.create();
        if (args.length > 0) {
            String[] hostPort = args[0].split(":", 2);
            conf.set("hbase.zookeeper.quorum", hostPort[0]);
            if (hostPort.length == 2) {
                conf.set("hbase.zookeeper.property.clientPort", hostPort[1]);
            }
        }
        // Fail within about a minute instead of the client's default ~20 minutes of retries.
        conf.setInt("hbase.client.retries.number", 10);
        conf.setInt("zookeeper.recovery.retry", 3);

        try (Connection connection = ConnectionFactory.createConnection(conf);
                Admin admin = connection.getAdmin()) {
            for (Table table : TABLES) {
                TableName tableName = TableName.valueOf(table.name());
                if (admin.tableExists(tableName)) {
                    System.out.println("table exists:  " + table.name());
                    continue;
                }
                TableDescriptorBuilder builder = TableDescriptorBuilder.newBuilder(tableName);
                for (String family : table.families()) {
                    ColumnFamilyDescriptorBuilder cf = ColumnFamilyDescriptorBuilder.newBuilder(Bytes.toBytes(family))
                            .setBloomFilterType(BloomType.ROW)
                            .setDataBlockEncoding(DataBlockEncoding.DIFF)
                            .setCompressionType(Compression.Algorithm.NONE);
                    if (table.maxVersions() != Integer.MAX_VALUE) {
                        cf.setMaxVersions(table.maxVersions());
                    }
                    ColumnFamilyDescriptor descriptor = cf.build();
                    builder.setColumnFamily(descriptor);
                }
                admin.createTableAsync(builder.build()).get(120, TimeUnit.SECONDS);
                System.out.println("table created: " + table.name());
            }
        }
    }
}
