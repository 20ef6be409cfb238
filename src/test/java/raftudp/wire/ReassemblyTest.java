package raftudp.wire;

import raftudp.logging.RateLimitedLog;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import raftudp.core.Message;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bounded memory and the timeout of reassembly, driven by an injected clock. */
class ReassemblyTest {
    /** 3 partial messages, 20,000 bytes, 10,000-byte messages, 1 s timeout. */
    static final WireLimits LIMITS = new WireLimits(1472, 10_000, 20_000, 3, 1000, 100);

    private final WireStats stats = new WireStats();
    private final WireCodec codec = new WireCodec(0, 1, WireLimits.DEFAULT, new WireStats());
    private long nowMs;
    private final WireDecoder decoder = new WireDecoder(LIMITS, stats, () -> nowMs, 60_000, "node 9");
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger log = (Logger) LoggerFactory.getLogger(WireDecoder.class);

    @BeforeEach
    void captureLog() {
        logged.start();
        log.addAppender(logged);
    }

    @AfterEach
    void releaseLog() {
        log.detachAppender(logged);
    }

    /** A snapshot chunk whose body is {@code bodyBytes} long, split into 1472-byte datagrams. */
    private List<byte[]> message(int bodyBytes, long term) {
        int data = bodyBytes - 12;
        return codec.encode(new Message.SnapshotChunk(term, 0, 1, 5, 1, data, 0L, 0, new byte[data], true));
    }

    private Optional<Object> feed(byte[] datagram) {
        return decoder.decode(datagram, "peer").map(WireDecoder.Received::message);
    }

    @Test
    void theLeastRecentlyActivePartialIsEvictedWhenTooManyAreOpen() {
        List<List<byte[]>> messages = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            messages.add(message(3000, i)); // 3 chunks each
            assertTrue(feed(messages.get(i - 1).get(0)).isEmpty());
        }
        assertEquals(1, stats.dropped(DropReason.EVICTED), "the first gave way to the fourth");
        assertEquals(3, decoder.partialMessages());
        for (int i = 1; i < 4; i++) {
            assertTrue(feed(messages.get(i).get(1)).isEmpty());
            assertEquals(i + 1, ((Message.SnapshotChunk) feed(messages.get(i).get(2)).orElseThrow()).term());
        }
        assertTrue(feed(messages.get(0).get(1)).isEmpty());
        assertEquals(1, stats.dropped(DropReason.LATE_CHUNK), "an evicted message does not start over");
        assertEquals(0, decoder.partialMessages());
        assertEquals(0, decoder.reassemblyBytes());
        assertTrue(logged.list.stream().anyMatch(e -> e.getLevel() == Level.WARN
                && e.getFormattedMessage().contains("EVICTED") && e.getFormattedMessage().startsWith("node 9")));
    }

    @Test
    void theLeastRecentlyActivePartialIsEvictedWhenMemoryRunsOut() {
        List<byte[]> a = message(8000, 1); // 6 chunks: 5 full ones hold 7040 bytes
        List<byte[]> b = message(8000, 2);
        List<byte[]> c = message(8000, 3);
        for (int i = 0; i < 5; i++) {
            feed(a.get(i));
            feed(b.get(i));
        }
        assertEquals(2, decoder.partialMessages());
        assertTrue(decoder.reassemblyBytes() <= LIMITS.reassemblyBytesMax());
        feed(a.get(0)); // a duplicate still makes a the most recently active
        for (int i = 0; i < 5; i++) {
            feed(c.get(i));
        }
        assertEquals(1, stats.dropped(DropReason.EVICTED));
        assertEquals(1, stats.dropped(DropReason.DUPLICATE_CHUNK));
        assertTrue(decoder.reassemblyBytes() <= LIMITS.reassemblyBytesMax(), "charged " + decoder.reassemblyBytes());
        assertTrue(feed(b.get(5)).isEmpty(), "b was the least recently active");
        assertEquals(1, stats.dropped(DropReason.LATE_CHUNK));
        assertEquals(1L, ((Message.SnapshotChunk) feed(a.get(5)).orElseThrow()).term());
        assertEquals(3L, ((Message.SnapshotChunk) feed(c.get(5)).orElseThrow()).term());
    }

    @Test
    void aPartialWithoutChunksForTheTimeoutExpiresAndItsIdIsForgottenLater() {
        List<byte[]> a = message(3000, 1);
        List<byte[]> b = message(3000, 2);
        feed(a.get(0));
        nowMs = 999;
        feed(b.get(0));
        nowMs = 1000;
        decoder.expire();
        assertEquals(1, stats.dropped(DropReason.EXPIRED));
        assertEquals(1, decoder.partialMessages(), "b is 1 ms old");
        nowMs = 1998;
        feed(b.get(1));
        assertTrue(feed(b.get(2)).isPresent(), "each chunk restarts the timeout");
        assertTrue(feed(a.get(1)).isEmpty());
        assertEquals(1, stats.dropped(DropReason.LATE_CHUNK), "a is remembered as finished");
        nowMs = 2000;
        assertTrue(feed(a.get(1)).isEmpty());
        assertEquals(1, decoder.partialMessages(), "after another timeout the id is forgotten: a new partial");
        nowMs = 3000;
        decoder.expire();
        assertEquals(2, stats.dropped(DropReason.EXPIRED));
        assertEquals(0, decoder.reassemblyBytes());
    }

    @Test
    void aMessageGrowingPastTheMessageLimitIsDropped() {
        List<byte[]> big = message(12_000, 1); // 9 chunks; the 8th passes 10,000 bytes
        for (int i = 0; i < 7; i++) {
            assertTrue(feed(big.get(i)).isEmpty());
        }
        assertEquals(0, stats.datagramsDropped());
        feed(big.get(7));
        assertEquals(1, stats.dropped(DropReason.TOO_LARGE));
        assertEquals(1, stats.dropped(DropReason.ABANDONED));
        assertEquals(0, decoder.reassemblyBytes());
        feed(big.get(8));
        assertEquals(1, stats.dropped(DropReason.LATE_CHUNK));
    }

    @Test
    void aHugeDeclaredChunkCountIsRefusedWithoutEvictingOthers() {
        List<byte[]> honest = message(3000, 1);
        feed(honest.get(0));
        byte[] forged = WireDropTest.set(honest.get(1), RaftHeader.Field.CHUNK_COUNT, 65535);
        forged = WireDropTest.set(forged, RaftHeader.Field.MESSAGE_ID, 77);
        assertTrue(feed(forged).isEmpty());
        assertEquals(1, stats.dropped(DropReason.TOO_LARGE), "65535 slots alone exceed 20,000 bytes");
        assertEquals(0, stats.dropped(DropReason.ABANDONED), "never admitted");
        assertEquals(0, stats.dropped(DropReason.EVICTED));
        feed(honest.get(1));
        assertTrue(feed(honest.get(2)).isPresent());
    }

    @Test
    void chunksThatDisagreeWithTheirMessageAbandonIt() {
        List<byte[]> a = message(3000, 1);
        feed(a.get(0));
        feed(WireDropTest.set(a.get(1), RaftHeader.Field.TERM, 2));
        assertEquals(1, stats.dropped(DropReason.INCONSISTENT_CHUNK));
        assertEquals(1, stats.dropped(DropReason.ABANDONED));
        assertEquals(0, decoder.partialMessages());

        List<byte[]> b = message(3000, 3);
        feed(b.get(0));
        byte[] altered = b.get(0).clone();
        altered[100] ^= 1;
        feed(altered);
        assertEquals(2, stats.dropped(DropReason.INCONSISTENT_CHUNK), "same chunk, other bytes");
        assertEquals(2, stats.dropped(DropReason.ABANDONED));
    }

    @Test
    void everyDatagramIsDeliveredBufferedOrDroppedExactlyOnce() {
        List<byte[]> all = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            all.addAll(message(2000 + 1000 * i, i + 1));
        }
        all.add(new byte[3]);
        all.add(all.get(0));
        for (byte[] d : all) {
            feed(d);
            assertEquals(stats.datagramsReceived(), stats.messagesReceived() + stats.chunksBuffered()
                    + stats.datagramsDropped(), stats.toString());
        }
    }

    @Test
    void aFloodOfBadDatagramsLogsOneWarningPerReasonPerInterval() {
        byte[] junk = new byte[80];
        for (int i = 0; i < 100; i++) {
            decoder.decode(junk, "attacker");
            decoder.decode(new byte[1], "attacker");
        }
        assertEquals(2, logged.list.size(), "one BAD_MAGIC, one SHORT");
        nowMs = 60_000;
        decoder.decode(junk, "attacker");
        assertEquals(3, logged.list.size());
        String line = logged.list.get(2).getFormattedMessage();
        assertTrue(line.contains("BAD_MAGIC") && line.contains("99 more"), line);
        assertEquals(101, stats.dropped(DropReason.BAD_MAGIC));
    }

    @Test
    void rateLimitedLogHoldsBackAndCountsPerKey() {
        long[] clock = {0};
        RateLimitedLog limited = new RateLimitedLog(LoggerFactory.getLogger("test"), () -> clock[0], 100);
        assertTrue(limited.warn("a", () -> "first"));
        assertFalse(limited.warn("a", () -> {
            throw new AssertionError("a held-back line is not built");
        }));
        assertTrue(limited.warn("b", () -> "other key"));
        assertEquals(1, limited.suppressed("a"));
        clock[0] = 99;
        assertFalse(limited.warn("a", () -> "too soon"));
        clock[0] = 100;
        assertTrue(limited.warn("a", () -> "again"));
        assertEquals(0, limited.suppressed("a"));
    }

    @Test
    void statsSnapshotFitsAStatusReport() {
        feed(new byte[2]);
        feed(message(100, 1).get(0));
        codec.encode(new StatusRequest());
        StatusReport r = new StatusReport(0, "LEADER", 1, 0, 0, 0, 0, 0, java.util.Map.of(), stats.snapshot());
        assertEquals(1L, r.counters().get("drop.SHORT"));
        assertEquals(1L, r.counters().get("rx.SNAPSHOT_CHUNK"));
        assertEquals(2L, r.counters().get("rx.datagrams"));
        WireCodec encoder = new WireCodec(0, 0, WireLimits.DEFAULT, stats);
        encoder.encode(r);
        assertEquals(1L, stats.snapshot().get("tx.STATUS_RESPONSE"));
        assertFalse(stats.snapshot().containsKey("tx.STATUS_REQUEST"), "another codec's stats");
    }
}
