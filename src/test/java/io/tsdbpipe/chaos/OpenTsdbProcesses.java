package io.tsdbpipe.chaos;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Stops and starts the processes of the OpenTSDB that {@code RealOpenTsdb} started with scripts/opentsdb.sh (under
 * {@code target/it-infra}): the TSD alone, or HBase under a running TSD. Starting again goes through the script, which
 * finds a running HBase and starts only the TSD, or restarts both when HBase is gone. Only for a TSD the tests started
 * themselves (not with {@code -Dopentsdb.url}).
 */
final class OpenTsdbProcesses {

    private static final Path HOME = Path.of("target", "it-infra").toAbsolutePath();

    private final int tsdPort;
    private final int zkPort;
    private final int masterPort;
    private final int regionServerPort;

    OpenTsdbProcesses(String tsdUrl) {
        tsdPort = URI.create(tsdUrl).getPort();
        String site = read(HOME.resolve("conf/hbase/hbase-site.xml"));
        zkPort = property(site, "hbase.zookeeper.property.clientPort");
        masterPort = property(site, "hbase.master.port");
        regionServerPort = property(site, "hbase.regionserver.port");
    }

    /** True when the tests started the TSD themselves (so its processes may be stopped). */
    static boolean controllable() {
        return System.getProperty("opentsdb.url", "").isBlank() && Files.exists(HOME.resolve("run/opentsdb.pid"));
    }

    void stopTsd() {
        stop("opentsdb");
    }

    void stopHBase() {
        stop("hbase");
    }

    /** Starts whatever is not running; returns when the TSD answers. */
    void start() {
        ProcessBuilder pb = new ProcessBuilder("bash", "scripts/opentsdb.sh", "start")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(HOME.resolve("logs/opentsdb-script.log").toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().remove("TSDB_EXTRA_CONF");
        pb.environment().put("PIPELINE_HOME", HOME.toString());
        pb.environment().put("TSDB_PORT", String.valueOf(tsdPort));
        pb.environment().put("HBASE_ZK_PORT", String.valueOf(zkPort));
        pb.environment().put("HBASE_MASTER_PORT", String.valueOf(masterPort));
        pb.environment().put("HBASE_REGIONSERVER_PORT", String.valueOf(regionServerPort));
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("HBASE_STOP_GRACE", "1");
        pb.environment().put("TSDB_STOP_GRACE", "5");
        try {
            Process p = pb.start();
            if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("scripts/opentsdb.sh start failed; see " + HOME.resolve("logs/opentsdb-script.log"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void stop(String service) {
        long pid = Long.parseLong(read(HOME.resolve("run/" + service + ".pid")).trim());
        ProcessHandle process = ProcessHandle.of(pid)
                .orElseThrow(() -> new IllegalStateException("no " + service + " process " + pid));
        process.destroyForcibly(); // SIGKILL: an outage, not a maintenance stop
        try {
            process.onExit().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(service + " (pid " + pid + ") did not exit", e);
        }
    }

    private static int property(String site, String name) {
        Matcher m = Pattern.compile("<name>" + Pattern.quote(name) + "</name><value>(\\d+)</value>").matcher(site);
        if (!m.find()) {
            throw new IllegalStateException("no " + name + " in hbase-site.xml");
        }
        return Integer.parseInt(m.group(1));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
