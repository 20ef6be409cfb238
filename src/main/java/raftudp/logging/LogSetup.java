package raftudp.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

import java.util.Locale;

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
 */
public final class LogSetup extends ContextAwareBase implements Configurator {
    static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{20} %msg%n";

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
}
