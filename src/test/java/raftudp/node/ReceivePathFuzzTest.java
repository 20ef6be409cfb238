package raftudp.node;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Test;
import raftudp.core.Raft;
import raftudp.wire.DropReason;

import java.util.EnumMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes the whole receive path (decode, reassembly, admission, core, state machine) of a
 * three-node cluster with hostile datagrams from {@link Attacker}, checking the invariants
 * of {@link ReceivePathHarness} after every input.
 *
 * <ul>
 * <li>{@link #guided}: Jazzer, coverage-guided. In a plain {@code mvn test} it replays its
 * saved findings only (regression mode); the {@code fuzz} Surefire execution runs it with
 * {@code JAZZER_FUZZ=1} for the duration its annotation gives (CI: 60 s; see pom.xml).</li>
 * <li>{@link #seededCampaign_fromNonMembers_keepsTheClusterSafe} and
 * {@link #seededCampaign_withSpoofedMembers_neverBreaksANode}: a fixed-seed campaign of
 * {@code -Dreceive.fuzz.inputs} datagrams (default 10^6 over both), reproducible by seed
 * ({@code -Dreceive.fuzz.seed}).</li>
 * </ul>
 */
class ReceivePathFuzzTest {
    static final long INPUTS = Long.getLong("receive.fuzz.inputs", 500_000);
    static final long SEED = Long.getLong("receive.fuzz.seed", 0xF0CC_AC1AL);
    private static final ch.qos.logback.classic.Logger OURS =
            (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("raftudp");
    private static ch.qos.logback.classic.Level levelBefore;

    /** A WARN per drop reason per decoder per cluster would flood the output and slow every run. */
    @org.junit.jupiter.api.BeforeAll
    static void quiet() {
        levelBefore = OURS.getLevel();
        OURS.setLevel(ch.qos.logback.classic.Level.ERROR);
    }

    @org.junit.jupiter.api.AfterAll
    static void loud() {
        OURS.setLevel(levelBefore);
    }

    /** One fuzz input: a fresh cluster, a leader, then up to ~200 steps chosen by the fuzzer. */
    @FuzzTest(maxDuration = "60s")
    void guided(FuzzedDataProvider data) {
        boolean spoof = data.consumeBoolean();
        ReceivePathHarness h = new ReceivePathHarness(data.consumeLong(), 4 + data.consumeInt(0, 60));
        h.settle(400);
        Attacker a = new Attacker(h, choices(data), spoof);
        for (int i = 0; i < 200 && data.remainingBytes() > 0; i++) {
            a.step();
            if (!spoof) {
                h.checkCluster();
            }
        }
    }

    private static Attacker.Choices choices(FuzzedDataProvider d) {
        return new Attacker.Choices() {
            @Override
            public int pick(int n) {
                return d.consumeInt(0, n - 1);
            }

            @Override
            public long anyLong() {
                return d.consumeLong();
            }

            @Override
            public byte[] bytes(int lengthMax) {
                return d.consumeBytes(lengthMax);
            }

            @Override
            public boolean more() {
                return d.remainingBytes() > 0;
            }
        };
    }

    /** Runs clusters of {@code stepsPerCluster} attacker steps until {@code inputs} datagrams were injected. */
    private static Map<DropReason, Long> campaign(boolean spoof, long seed, long inputs) {
        Map<DropReason, Long> drops = new EnumMap<>(DropReason.class);
        long injected = 0;
        long clusters = 0;
        long refusals = 0;
        long elections = 0;
        long start = System.nanoTime();
        while (injected < inputs) {
            long s = seed + clusters++;
            ReceivePathHarness h = new ReceivePathHarness(s, 8 + (int) (s % 50));
            assertNotEquals(Raft.NONE, h.settle(1_000), "no leader at the start, seed " + s);
            long firstTerm = h.nodes[0].raft().term();
            int firstLeader = h.nodes[0].raft().leader();
            Attacker a = new Attacker(h, Attacker.seeded(s, Long.MAX_VALUE), spoof);
            try {
                while (a.sent < 5_000) {
                    a.step();
                    if (!spoof) {
                        h.checkCluster();
                        for (ReceivePathHarness.Node n : h.nodes) {
                            // without spoofing, no forged datagram moves a term or the leadership
                            if (n.raft().term() != firstTerm || n.raft().leader() != firstLeader) {
                                throw new AssertionError("node " + n.id + " moved from term " + firstTerm
                                        + " leader " + firstLeader + " to " + n.raft());
                            }
                        }
                    }
                }
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("seed " + s + " (spoof " + spoof + ", after " + a.sent + " datagrams): " + e, e);
            }
            injected += h.injected;
            elections += h.nodes[0].raft().term() - firstTerm;
            for (ReceivePathHarness.Node n : h.nodes) {
                for (DropReason r : DropReason.values()) {
                    drops.merge(r, n.stats.dropped(r), Long::sum);
                }
                refusals += n.raft().refusals().values().stream().mapToLong(Long::longValue).sum();
            }
        }
        System.out.printf("receive-path fuzz (spoof %s, seed %d): %d datagrams in %d clusters, %d ms; "
                        + "terms gained %d; core refusals %d; drops %s%n", spoof, seed, injected, clusters,
                (System.nanoTime() - start) / 1_000_000, elections, refusals, drops);
        return drops;
    }

    @Test
    void seededCampaign_fromNonMembers_keepsTheClusterSafe() {
        Map<DropReason, Long> drops = campaign(false, SEED, INPUTS);
        for (DropReason r : new DropReason[]{DropReason.WRONG_SOURCE, DropReason.NOT_MEMBER, DropReason.BAD_SESSION,
            DropReason.UNEXPECTED_TYPE, DropReason.MALFORMED_BODY, DropReason.BAD_FIELD}) {
            assertTrue(drops.get(r) > 0, r + " never hit: the attacker does not reach far enough " + drops);
        }
    }

    @Test
    void seededCampaign_withSpoofedMembers_neverBreaksANode() {
        Map<DropReason, Long> drops = campaign(true, SEED ^ 0x5A5A, INPUTS);
        for (DropReason r : new DropReason[]{DropReason.TERM_CEILING, DropReason.BAD_CLAIM, DropReason.BAD_ENTRY,
            DropReason.MISADDRESSED}) {
            assertTrue(drops.get(r) > 0, r + " never hit: spoofed traffic does not reach admission's rules " + drops);
        }
    }
}
