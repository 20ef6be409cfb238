package raftudp.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.ConsoleAppender;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
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

    /** A context as logback makes one, able to log (a bare one lacks an MDC adapter). */
    private static LoggerContext context() {
        LoggerContext ctx = new LoggerContext();
        ctx.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
        return ctx;
    }

    @Test
    void aLogFileReceivesTheLinesStderrGets_inADirectoryItMakes(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("logs/sub/node-1.log");
        LoggerContext ctx = context();
        LogSetup.setUp(ctx, "info");
        assertEquals(Optional.empty(), LogSetup.addFile(ctx, file));
        ctx.getLogger("raftudp.x").info("node 1: became LEADER at term 3");
        ctx.getLogger("raftudp.x").debug("below the level: not written");
        Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        assertNotNull(root.getAppender("STDERR"), "stderr keeps its appender");
        ctx.stop();
        List<String> lines = Files.readAllLines(file);
        assertEquals(1, lines.size(), lines.toString());
        assertTrue(lines.get(0).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  \\[.+\\] raftudp.x "
                + "node 1: became LEADER at term 3"), lines.get(0));
    }

    @Test
    void aLogFileIsAppendedTo_andASecondFileReplacesTheFirst(@TempDir Path tmp) throws Exception {
        Path first = tmp.resolve("a.log");
        Path second = tmp.resolve("b.log");
        Files.writeString(first, "earlier run\n");
        LoggerContext ctx = context();
        LogSetup.setUp(ctx, "info");
        assertEquals(Optional.empty(), LogSetup.addFile(ctx, first));
        ctx.getLogger("x").info("one");
        assertEquals(Optional.empty(), LogSetup.addFile(ctx, second));
        ctx.getLogger("x").info("two");
        ctx.stop();
        List<String> a = Files.readAllLines(first);
        assertEquals(2, a.size(), a.toString());
        assertEquals("earlier run", a.get(0));
        assertTrue(a.get(1).endsWith(" x one"), a.toString());
        List<String> b = Files.readAllLines(second);
        assertEquals(1, b.size(), b.toString());
        assertTrue(b.get(0).endsWith(" x two"), b.toString());
    }

    @Test
    void aFileThatCannotBeOpened_isExplained_andStderrGoesOnAlone(@TempDir Path tmp) throws Exception {
        Path notADir = tmp.resolve("plain");
        Files.writeString(notADir, "");
        LoggerContext ctx = context();
        LogSetup.setUp(ctx, "info");
        Optional<String> problem = LogSetup.addFile(ctx, notADir.resolve("node-0.log"));
        assertTrue(problem.isPresent() && problem.get().contains(notADir.toString()), problem.toString());
        Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        assertNull(root.getAppender(LogSetup.FILE_APPENDER));
        assertNotNull(root.getAppender("STDERR"));
        ctx.stop();
    }

    @Test
    void theNodesLogFileIsTheOptionElseInTheEnvironmentsDirectoryElseNone() {
        assertEquals(Optional.of(Path.of("x.log")), LogSetup.nodeLogFile(Path.of("x.log"), "/var/log/raft", 2));
        assertEquals(Optional.of(Path.of("/var/log/raft/node-2.log")), LogSetup.nodeLogFile(null, "/var/log/raft", 2));
        assertEquals(Optional.empty(), LogSetup.nodeLogFile(null, " ", 2));
        assertEquals(Optional.empty(), LogSetup.nodeLogFile(null, null, 2));
    }
}
