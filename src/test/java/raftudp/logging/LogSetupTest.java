package raftudp.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.ConsoleAppender;
import org.junit.jupiter.api.Test;

import java.util.ServiceLoader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogSetupTest {

    @Test
    void logbackFindsItThroughTheServiceFile() {
        assertTrue(ServiceLoader.load(Configurator.class).stream().anyMatch(p -> p.type() == LogSetup.class));
    }

    @Test
    void itStepsAsideForTheTestsOwnXmlFile() {
        // the tests' logback-test.xml is on this class path: the programs' setup must not replace it
        assertEquals(Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY, new LogSetup().configure(new LoggerContext()));
    }

    @Test
    void oneStderrAppenderWithTheDocumentedPatternPcap4jAtWarnRootFromTheEnvironment() {
        LoggerContext ctx = new LoggerContext();
        LogSetup.setUp(ctx, "debug");
        Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        assertEquals(Level.DEBUG, root.getLevel());
        ConsoleAppender<?> stderr = assertInstanceOf(ConsoleAppender.class, root.getAppender("STDERR"));
        assertTrue(stderr.isStarted());
        assertEquals("System.err", stderr.getTarget());
        assertEquals(LogSetup.PATTERN, assertInstanceOf(PatternLayoutEncoder.class, stderr.getEncoder()).getPattern());
        assertEquals(Level.WARN, ctx.getLogger("org.pcap4j").getLevel());
        assertEquals(Level.WARN, ctx.getLogger("org.pcap4j.core.PcapHandle").getEffectiveLevel());
        ctx.stop();
    }

    @Test
    void rootLevelIsInfoUnlessTheEnvironmentNamesAnother() {
        assertEquals(Level.INFO, LogSetup.rootLevel(null));
        assertEquals(Level.INFO, LogSetup.rootLevel("  "));
        assertEquals(Level.INFO, LogSetup.rootLevel("loud"));
        assertEquals(Level.WARN, LogSetup.rootLevel(" warn "));
        assertEquals(Level.TRACE, LogSetup.rootLevel("TRACE"));
    }
}
