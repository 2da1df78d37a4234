package io.tsdbpipe.tools.bench;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The end of {@code scripts/bench-pipeline.sh}: prints the results CSV (rows of {@link BenchWatch}, the plain consumer
 * and the bare client) as a table with the ratios the targets are stated in (a job into the counting endpoint against
 * the plain consumer of the same topic (same format), a job into a TSD against the bare client into the same TSD), and draws the
 * series CSV as a PNG (java.awt, headless): datapoints/s over time for every run, and latency for the runs that
 * measured it.
 *
 * <p>{@code BenchReport --results FILE --series FILE --chart FILE.png}
 */
public final class BenchReport {

    private static final Color[] COLORS = {
        new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd),
        new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf)
    };

    private BenchReport() {}

    static List<Map<String, String>> readCsv(Path file) throws IOException {
        List<Map<String, String>> rows = new ArrayList<>();
        if (!Files.exists(file)) {
            return rows;
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty()) {
            return rows;
        }
        String[] header = lines.get(0).split(",", -1);
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank() || line.equals(lines.get(0))) {
                continue;
            }
            String[] cells = line.split(",", -1);
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < header.length; i++) {
                row.put(header[i], i < cells.length ? cells[i] : "");
            }
            rows.add(row);
        }
        return rows;
    }

    static double num(Map<String, String> row, String key) {
        String v = row.getOrDefault(key, "");
        try {
            return v.isEmpty() ? Double.NaN : Double.parseDouble(v);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** The table, one line per run. */
    static String table(List<Map<String, String>> rows) {
        Map<String, Double> consumer = new LinkedHashMap<>();
        double bare = Double.NaN;
        for (Map<String, String> r : rows) {
            if (r.get("kind").equals("plain-consumer")) {
                consumer.put(r.get("format"), num(r, "rate"));
            } else if (r.get("kind").equals("bare-client") && r.get("target").equals("tsdb")) {
                bare = num(r, "rate");
            }
        }
        StringBuilder sb = new StringBuilder();
        String format = "%-18s %-9s %-9s %12s %10s %10s %9s %14s %17s %22s %7s%n";
        sb.append(String.format(Locale.ROOT, format, "run", "format", "into", "datapoints/s", "x baseline",
                "CPU s/M dp", "peak RSS", "heap peak/live", "checkpoints", "latency p50/90/99/max", "wall s"));
        for (Map<String, String> r : rows) {
            String kind = r.get("kind");
            double rate = num(r, "rate");
            String ratio = "";
            if (kind.equals("job") && r.get("target").equals("counting") && consumer.containsKey(r.get("format"))) {
                ratio = String.format(Locale.ROOT, "%.2f (c)", rate / consumer.get(r.get("format")));
            } else if (kind.equals("job") && r.get("target").equals("tsdb") && !Double.isNaN(bare)) {
                ratio = String.format(Locale.ROOT, "%.2f (b)", rate / bare);
            }
            String checkpoints = num(r, "checkpoints") > 0
                    ? String.format(Locale.ROOT, "%.0f, %.0f/%.0f ms", num(r, "checkpoints"), num(r, "checkpoint_avg_ms"),
                            num(r, "checkpoint_max_ms"))
                    : kind.startsWith("job") ? "0" : "";
            String latency = num(r, "lat_p99_ms") >= 0
                    ? String.format(Locale.ROOT, "%.0f/%.0f/%.0f/%.0f ms", num(r, "lat_p50_ms"), num(r, "lat_p90_ms"),
                            num(r, "lat_p99_ms"), num(r, "lat_max_ms"))
                    : "";
            sb.append(String.format(Locale.ROOT, format, r.get("run"), r.get("format"), r.get("target"),
                    Double.isNaN(rate) ? "?" : String.format(Locale.ROOT, "%,.0f", rate), ratio,
                    cell(num(r, "cpu_s_per_m"), "%.1f"), cell(num(r, "peak_rss_mb"), "%.0f MB"),
                    num(r, "peak_heap_mb") >= 0 ? String.format(Locale.ROOT, "%.0f/%.0f MB", num(r, "peak_heap_mb"),
                            num(r, "live_heap_mb")) : "", checkpoints, latency, cell(num(r, "wall_s"), "%.1f")));
        }
        sb.append("x baseline: (c) of the plain consumer's datapoints/s on the same topic, (b) of the bare client's "
                + "into the same TSD\n");
        return sb.toString();
    }

    private static String cell(double v, String format) {
        return Double.isNaN(v) || v < 0 ? "" : String.format(Locale.ROOT, format, v);
    }

    // ------------------------------------------------------------------------------------------ chart

    /** One run's line: x = seconds since its start, y = datapoints/s over about a second, and latency if any. */
    record Line(String run, List<double[]> rate, List<double[]> p50, List<double[]> p99) {}

    static List<Line> lines(List<Map<String, String>> series) {
        Map<String, List<Map<String, String>>> byRun = new LinkedHashMap<>();
        for (Map<String, String> s : series) {
            byRun.computeIfAbsent(s.get("run"), k -> new ArrayList<>()).add(s);
        }
        List<Line> lines = new ArrayList<>();
        for (Map.Entry<String, List<Map<String, String>>> e : byRun.entrySet()) {
            List<double[]> rate = new ArrayList<>();
            List<double[]> p50 = new ArrayList<>();
            List<double[]> p99 = new ArrayList<>();
            List<Map<String, String>> rows = e.getValue();
            int from = 0;
            for (int i = 0; i < rows.size(); i++) {
                double t = num(rows.get(i), "elapsed_s");
                while (from < i && t - num(rows.get(from + 1), "elapsed_s") >= 1.0) {
                    from++;
                }
                double t0 = num(rows.get(from), "elapsed_s");
                if (t - t0 >= 0.9) {
                    rate.add(new double[] {t, (num(rows.get(i), "points") - num(rows.get(from), "points")) / (t - t0)});
                }
                if (num(rows.get(i), "lat_p99_ms") >= 0) {
                    p50.add(new double[] {t, num(rows.get(i), "lat_p50_ms")});
                    p99.add(new double[] {t, num(rows.get(i), "lat_p99_ms")});
                }
            }
            lines.add(new Line(e.getKey(), rate, p50, p99));
        }
        return lines;
    }

    static void chart(List<Line> lines, Path png) throws IOException {
        int width = 1100;
        int panel = 330;
        boolean withLatency = lines.stream().anyMatch(l -> !l.p99().isEmpty());
        int height = 60 + panel + (withLatency ? panel + 50 : 0) + 20;
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        List<List<double[]>> rates = new ArrayList<>();
        lines.forEach(l -> rates.add(l.rate()));
        panel(g, 70, 40, width - 330, panel - 40, "datapoints/s (over ~1 s) vs seconds since the run's start", rates,
                lines, false);
        if (withLatency) {
            List<List<double[]>> latencies = new ArrayList<>();
            List<Line> names = new ArrayList<>();
            for (Line l : lines) {
                if (!l.p99().isEmpty()) {
                    latencies.add(l.p99());
                    latencies.add(l.p50());
                    names.add(new Line(l.run() + " p99", null, null, null));
                    names.add(new Line(l.run() + " p50", null, null, null));
                }
            }
            panel(g, 70, 40 + panel + 50, width - 330, panel - 40,
                    "latency ms (produced -> acknowledged, per second) vs seconds", latencies, names, true);
        }
        g.dispose();
        ImageIO.write(image, "png", png.toFile());
    }

    private static void panel(Graphics2D g, int x, int y, int w, int h, String title, List<List<double[]>> data,
            List<Line> names, boolean dashedEveryOther) {
        double maxX = 1;
        double maxY = 1;
        for (List<double[]> d : data) {
            for (double[] p : d) {
                maxX = Math.max(maxX, p[0]);
                maxY = Math.max(maxY, p[1]);
            }
        }
        maxY = niceCeiling(maxY);
        maxX = niceCeiling(maxX);
        g.setColor(Color.BLACK);
        g.drawString(title, x, y - 12);
        g.setColor(new Color(0xdddddd));
        for (int i = 0; i <= 5; i++) {
            int yy = y + h - i * h / 5;
            g.drawLine(x, yy, x + w, yy);
        }
        g.setColor(Color.BLACK);
        g.drawRect(x, y, w, h);
        for (int i = 0; i <= 5; i++) {
            int yy = y + h - i * h / 5;
            String label = String.format(Locale.ROOT, "%,.0f", maxY * i / 5);
            g.drawString(label, x - 8 - g.getFontMetrics().stringWidth(label), yy + 4);
            String xl = String.format(Locale.ROOT, "%.0f", maxX * i / 5);
            g.drawString(xl, x + i * w / 5 - g.getFontMetrics().stringWidth(xl) / 2, y + h + 16);
        }
        for (int i = 0; i < data.size(); i++) {
            Color c = COLORS[(dashedEveryOther ? i / 2 : i) % COLORS.length];
            g.setColor(c);
            g.setStroke(dashedEveryOther && i % 2 == 1
                    ? new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1, new float[] {5, 4}, 0)
                    : new BasicStroke(1.8f));
            List<double[]> d = data.get(i);
            for (int j = 1; j < d.size(); j++) {
                g.drawLine(x + (int) (d.get(j - 1)[0] / maxX * w), y + h - (int) (d.get(j - 1)[1] / maxY * h),
                        x + (int) (d.get(j)[0] / maxX * w), y + h - (int) (d.get(j)[1] / maxY * h));
            }
            g.setStroke(new BasicStroke(1));
            int ly = y + 14 + i * 16;
            g.fillRect(x + w + 15, ly - 8, 12, 8);
            g.setColor(Color.BLACK);
            g.drawString(names.get(i).run(), x + w + 32, ly);
        }
    }

    private static double niceCeiling(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }

    public static void main(String[] args) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Path results = null;
        Path series = null;
        Path png = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--results": results = Path.of(args[i + 1]); break;
                case "--series": series = Path.of(args[i + 1]); break;
                case "--chart": png = Path.of(args[i + 1]); break;
                default: throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (results != null) {
            System.out.print(table(readCsv(results)));
        }
        if (series != null && png != null) {
            chart(lines(readCsv(series)), png);
        }
    }
}
