package raftudp;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Holds the layering of DESIGN.md: the core is a pure, deterministic state machine. */
class ArchitectureTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("raftudp");
    }

    @Test
    void coreClassesWereImported() {
        assertFalse(classes.stream().noneMatch(c -> c.getPackageName().equals("raftudp.core")));
    }

    @Test
    void coreDoesNoIoNetworkingOrThreads() {
        ArchRule rule = noClasses().that().resideInAPackage("raftudp.core..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "java.io..", "java.nio..", "java.net..", "java.util.concurrent..",
                        "io.netty..", "org.pcap4j..", "org.slf4j..", "ch.qos.logback..")
                .orShould().dependOnClassesThat().areAssignableTo(Thread.class)
                .because("the core is a deterministic state machine (DESIGN.md)");
        rule.check(classes);
    }

    @Test
    void coreReadsNoClockAndNoUnseededRandomness() {
        ArchRule rule = noClasses().that().resideInAPackage("raftudp.core..")
                .should().callMethod(System.class, "nanoTime")
                .orShould().callMethod(System.class, "currentTimeMillis")
                .orShould().callMethod(Math.class, "random")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.util.Random")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.security.SecureRandom")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.util.SplittableRandom")
                .orShould().dependOnClassesThat().resideInAPackage("java.time..")
                .because("time enters through tick() and randomness through RandomSource");
        rule.check(classes);
    }

    @Test
    void coreDependsOnNothingOfOurs() {
        noClasses().that().resideInAPackage("raftudp.core..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "raftudp.wire..", "raftudp.transport..", "raftudp.storage..", "raftudp.kv..",
                        "raftudp.node..", "raftudp.client..")
                .check(classes);
    }

    @Test
    void kvAndStorageStayBelowTheRuntime() {
        noClasses().that().resideInAnyPackage("raftudp.kv..", "raftudp.storage..", "raftudp.wire..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "raftudp.node..", "raftudp.client..", "raftudp.transport..")
                .check(classes);
    }
}
