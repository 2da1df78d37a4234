package io.tsdbpipe.tools;

import io.tsdbpipe.deadletter.Reject;
import io.tsdbpipe.event.Event;
import io.tsdbpipe.event.EventJson;
import io.tsdbpipe.job.JobConfig;
import io.tsdbpipe.job.PipelineComponents;
import io.tsdbpipe.point.DataPoint;
import io.tsdbpipe.deadletter.Origin;
import io.tsdbpipe.point.PointJson;
import io.tsdbpipe.report.DecodeOutput;
import io.tsdbpipe.report.RawRecord;
import io.tsdbpipe.report.ReportDecoder;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Decodes raw reports, one per line, with the job's own decoder and rules, and prints for each input line one JSON line
 * (a stable format, documented in README.md):
 *
 * <pre>{"line":N,"datapoints":[{"metric":..,"timestamp":..,"value":..,"tags":{..}}],"rejects":[{"reason":..,"message":..}]}</pre>
 *
 * plus {@code ,"events":[..]} (the events topic's records) on lines that hold BlueKing events. Needs no Kafka, OpenTSDB
 * or cluster. Usage: {@code DryRun [--config FILE] [--key value]... [--topic TOPIC] [FILE]} (stdin without FILE);
 * {@code --topic} names the topic the lines come from, for mappings bound to a topic. BlueKing reports are checked
 * against the configuration's channels ({@code channels.static.*}). The series stage's duplicate handling and the
 * event windows are not applied. Each line is decoded as the bytes a Kafka record would hold, with the time it is read as
 * its Kafka timestamp.
 */
public final class DryRun {

    private DryRun() {}

    public static void main(String[] args) throws IOException {
        List<String> options = new ArrayList<>();
        String file = null;
        String topic = "";
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--help") || args[i].equals("-h")) {
                System.out.println("Usage: dry-run.sh [--config FILE] [--key value]... [--topic TOPIC] [FILE]");
                return;
            }
            if (args[i].equals("--topic") && i + 1 < args.length) {
                topic = args[++i];
            } else if (args[i].startsWith("--topic=")) {
                topic = args[i].substring("--topic=".length());
            } else if (args[i].startsWith("--")) {
                options.add(args[i]);
                if (!args[i].contains("=") && i + 1 < args.length) {
                    options.add(args[++i]);
                }
            } else if (file == null) {
                file = args[i];
            } else {
                throw new IllegalArgumentException("Only one input file, got " + file + " and " + args[i]);
            }
        }
        ReportDecoder decoder;
        try {
            decoder = PipelineComponents.decoder(JobConfig.fromArgs(options.toArray(new String[0])).configuration());
        } catch (IllegalArgumentException e) {
            System.err.println("Invalid configuration: " + e.getMessage());
            System.exit(2);
            return;
        }
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        try (InputStream in = file == null ? System.in : Files.newInputStream(Path.of(file))) {
            run(decoder, topic, in, out);
        }
        out.flush();
    }

    /** Decodes every line of {@code in} and prints one result line each. */
    public static void run(ReportDecoder decoder, BufferedReader in, PrintStream out) throws IOException {
        run(decoder, "", in, out);
    }

    /** {@link #run(ReportDecoder, BufferedReader, PrintStream)} for lines of the given topic. */
    public static void run(ReportDecoder decoder, String topic, BufferedReader in, PrintStream out)
            throws IOException {
        long lineNo = 0;
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            printLine(decoder, topic, ++lineNo, line.getBytes(StandardCharsets.UTF_8), out);
        }
    }

    /**
     * Decodes every line of {@code in} as the raw bytes a Kafka record would hold (so that a line that is not UTF-8 is
     * {@code malformed_json}, as in the job) and prints one result line each. Lines end at {@code \n}; a {@code \r}
     * before it is dropped.
     */
    public static void run(ReportDecoder decoder, String topic, InputStream in, PrintStream out) throws IOException {
        InputStream bytes = in instanceof BufferedInputStream ? in : new BufferedInputStream(in, 1 << 16);
        ByteArrayOutputStream line = new ByteArrayOutputStream(1024);
        long lineNo = 0;
        boolean pending = false;
        for (int b = bytes.read(); b >= 0; b = bytes.read()) {
            if (b != '\n') {
                line.write(b);
                pending = true;
                continue;
            }
            printLine(decoder, topic, ++lineNo, withoutCr(line.toByteArray()), out);
            line.reset();
            pending = false;
        }
        if (pending) {
            printLine(decoder, topic, ++lineNo, withoutCr(line.toByteArray()), out);
        }
    }

    private static byte[] withoutCr(byte[] line) {
        return line.length > 0 && line[line.length - 1] == '\r' ? Arrays.copyOf(line, line.length - 1) : line;
    }

    /** Decodes one line; its Kafka timestamp is the time it is read. */
    private static void printLine(ReportDecoder decoder, String topic, long lineNo, byte[] line, PrintStream out) {
        StringBuilder sb = new StringBuilder(1024);
        sb.append("{\"line\":").append(lineNo).append(",\"datapoints\":[");
        List<Reject> rejects = new ArrayList<>();
        List<Event> events = new ArrayList<>();
        int[] points = {0};
        Origin origin = new Origin(topic.isEmpty() ? "dry-run" : topic, 0, lineNo);
        long now = System.currentTimeMillis();
        decoder.decode(new RawRecord(line, origin, now), now, new DecodeOutput() {
            @Override
            public void point(DataPoint point) {
                if (points[0]++ > 0) {
                    sb.append(',');
                }
                PointJson.appendTo(sb, point);
            }

            @Override
            public void event(Event event) {
                events.add(event);
            }

            @Override
            public void reject(Reject reject) {
                rejects.add(reject);
            }
        });
        sb.append("],\"rejects\":[");
        JsonStringEncoder encoder = JsonStringEncoder.getInstance();
        for (int i = 0; i < rejects.size(); i++) {
            Reject r = rejects.get(i);
            sb.append(i > 0 ? "," : "").append("{\"reason\":\"").append(r.reason().code())
                    .append("\",\"message\":\"").append(encoder.quoteAsString(r.message())).append("\"}");
        }
        sb.append(']');
        if (!events.isEmpty()) {
            sb.append(",\"events\":[");
            for (int i = 0; i < events.size(); i++) {
                sb.append(i > 0 ? "," : "").append(new String(EventJson.record(events.get(i)), StandardCharsets.UTF_8));
            }
            sb.append(']');
        }
        out.append(sb).append("}\n");
    }
}
