package raftudp.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Optional;

/**
 * The programs' logging, set up in code (found by logback through
 * {@code META-INF/services}) rather than from an XML file: parsing XML cost a short-lived
 * {@code raft-client} about a tenth of a second at every start (docs/node.md, "Start-up").
 *
 * <p>What it sets: one appender on stderr, {@code HH:mm:ss.SSS LEVEL [thread] logger message};
 * the root level from {@code $RAFTUDP_LOG_LEVEL} (default INFO; the programs' {@code --log-level}
 * overrides it); pcap4j at WARN (it announces every handle it opens at INFO). A
 * {@code logback-test.xml} on the class path (the tests) or {@code -Dlogback.configurationFile}
 * still wins: then this steps aside and logback reads that file.
 *
 * <p>A node may also append its log to a file ({@link #nodeLogFile}, {@link #addFile}): the
 * same lines as stderr, which keeps them.
 */
public final class LogSetup extends ContextAwareBase implements Configurator {
    static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{20} %msg%n";
    /** The environment variable naming the directory of the nodes' log files. */
    public static final String LOG_DIR_ENV = "RAFTUDP_LOG_DIR";
    /** Name of the appender {@link #addFile} installs. */
    static final String FILE_APPENDER = "FILE";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null
                || LogSetup.class.getClassLoader().getResource("logback-test.xml") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        setUp(context, System.getenv("RAFTUDP_LOG_LEVEL"));
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** Installs the appender and levels described above into {@code context}. */
    static void setUp(LoggerContext context, String levelFromEnv) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("STDERR");
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(rootLevel(levelFromEnv));
        root.addAppender(stderr);
        context.getLogger("org.pcap4j").setLevel(Level.WARN);
    }

    /** The level {@code $RAFTUDP_LOG_LEVEL} names; INFO when unset, blank or not a level. */
    static Level rootLevel(String env) {
        if (env == null || env.isBlank()) {
            return Level.INFO;
        }
        return Level.toLevel(env.trim().toUpperCase(Locale.ROOT), Level.INFO);
    }

    /**
     * The file node {@code index} appends its log to: {@code option} (its {@code --log-file})
     * when given, else {@code DIR/node-INDEX.log} when {@code logDir} (the value of
     * {@link #LOG_DIR_ENV}) is set and not blank, else none.
     */
    public static Optional<Path> nodeLogFile(Path option, String logDir, int index) {
        if (option != null) {
            return Optional.of(option);
        }
        if (logDir == null || logDir.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(Path.of(logDir.trim(), "node-" + index + ".log"));
    }

    /**
     * Appends what the root logger writes to {@code file} as well, in the pattern of stderr,
     * creating the file's directory when missing; replaces a file an earlier call added.
     *
     * @return empty when the file is in use, else why it could not be (stderr goes on alone)
     */
    public static Optional<String> addFile(Path file) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return Optional.of("logging is not logback, so it cannot be sent to a file");
        }
        return addFile(context, file);
    }

    /** {@link #addFile(Path)} in {@code context}. */
    static Optional<String> addFile(LoggerContext context, Path file) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            if (dir != null) {
                Files.createDirectories(dir);
            }
            // opened and closed here: logback reports a file it cannot open only in its status list
            Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND).close();
        } catch (IOException | SecurityException e) {
            return Optional.of(e.toString());
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        FileAppender<ILoggingEvent> appender = new FileAppender<>();
        appender.setContext(context);
        appender.setName(FILE_APPENDER);
        appender.setFile(file.toString());
        appender.setAppend(true);
        appender.setEncoder(encoder);
        appender.start();
        if (!appender.isStarted()) {
            return Optional.of("logback could not open it");
        }
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        ch.qos.logback.core.Appender<ILoggingEvent> old = root.getAppender(FILE_APPENDER);
        if (old != null) {
            root.detachAppender(old);
            old.stop();
        }
        root.addAppender(appender);
        return Optional.empty();
    }
}
