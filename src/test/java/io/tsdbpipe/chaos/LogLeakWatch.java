package io.tsdbpipe.chaos;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Watches every log line of the test JVM (the MiniCluster's job logs included) at INFO and above for tokens, while it
 * is open. The console keeps its usual WARN level. Lines are scanned as they are logged, not kept.
 */
final class LogLeakWatch implements AutoCloseable {

    private static final String NAME = "chaos-token-watch";

    private volatile List<String> tokens = List.of();
    private final AtomicInteger leaks = new AtomicInteger();
    private final List<String> first = new CopyOnWriteArrayList<>();
    private final LoggerContext context;
    private final Level rootLevel;
    private final Map<String, Appender> rootAppenders;
    private final Appender appender;

    private LogLeakWatch() {
        context = (LoggerContext) LogManager.getContext(false);
        Configuration config = context.getConfiguration();
        LoggerConfig root = config.getRootLogger();
        rootLevel = root.getLevel();
        rootAppenders = Map.copyOf(root.getAppenders());
        appender = new AbstractAppender(NAME, null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                scan(event);
            }
        };
        appender.start();
        // the console stays at the root's old level; the watch sees INFO too
        rootAppenders.keySet().forEach(root::removeAppender);
        rootAppenders.values().forEach(a -> root.addAppender(a, rootLevel, null));
        root.addAppender(appender, Level.INFO, null);
        root.setLevel(Level.INFO.isMoreSpecificThan(rootLevel) ? rootLevel : Level.INFO);
        context.updateLoggers();
    }

    static LogLeakWatch start() {
        return new LogLeakWatch();
    }

    /** The tokens to look for: a live, thread-safe list (the driver adds tokens as it generates reports). */
    void watch(List<String> live) {
        tokens = live;
    }

    int leaks() {
        return leaks.get();
    }

    List<String> firstLeaks() {
        return new ArrayList<>(first);
    }

    private void scan(LogEvent event) {
        StringBuilder text = new StringBuilder(event.getMessage().getFormattedMessage());
        for (Throwable t = event.getThrown(); t != null; t = t.getCause()) {
            text.append(" | ").append(t);
        }
        String line = text.toString();
        for (String token : tokens) {
            if (ConservationDriver.holdsToken(line, token)) {
                leaks.incrementAndGet();
                if (first.size() < 3) {
                    first.add(event.getLoggerName() + ": " + line);
                }
                return;
            }
        }
    }

    @Override
    public void close() {
        LoggerConfig root = context.getConfiguration().getRootLogger();
        root.removeAppender(NAME);
        rootAppenders.keySet().forEach(root::removeAppender);
        rootAppenders.values().forEach(a -> root.addAppender(a, null, null));
        root.setLevel(rootLevel);
        context.updateLoggers();
        appender.stop();
    }
}
