package raftudp.client;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import raftudp.kv.ClientResponse;
import raftudp.kv.Result;
import raftudp.kv.Value;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RaftClient against fake nodes that redirect, refuse, drop, duplicate and delay. */
@Timeout(30)
class RaftClientTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private FakeCluster cluster;

    @AfterEach
    void tearDown() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static Set<String> pairs(List<FakeNode.Request> rs) {
        return rs.stream().map(r -> r.clientId() + "/" + r.seq()).collect(Collectors.toSet());
    }

    @Test
    void when_askedNodeIsAFollower_then_theHintedLeaderIsAskedAndRemembered() throws Exception {
        cluster = new FakeCluster(3, 2);
        RaftClient client = cluster.client(cluster.fastOptions());
        assertEquals(new Result.Ok(null), client.put("k", Value.of(0)));
        assertEquals(2, client.leader());
        FakeNode.Request first = cluster.node(0).requests().get(0);
        FakeNode.Request redirected = cluster.node(2).requests().get(0);
        assertEquals(first.request(), redirected.request(), "the redirect resends the same request");
        assertEquals(1, first.seq());

        assertEquals(new Result.Ok(Value.of(0)), client.put("k", Value.of(1)));
        assertEquals(1, cluster.node(0).requests().size(), "the remembered leader is asked first");
        assertEquals(2, cluster.node(2).requests().get(1).seq(), "seqs are dense per session");
        assertTrue(cluster.node(1).requests().isEmpty());
    }

    @Test
    void when_noLeaderIsKnown_then_theNextNodeIsTried() throws Exception {
        cluster = new FakeCluster(3, 1);
        cluster.node(0).policy((n, r) -> n.notLeader(r, -1));
        RaftClient client = cluster.client(cluster.fastOptions());
        assertEquals(new Result.Appended(1), client.append("log", Value.of(1)));
        assertEquals(1, client.leader());
        assertEquals(pairs(cluster.node(0).requests()), pairs(cluster.node(1).requests()));
    }

    @Test
    void when_leaderAnswersRetry_then_theSameClientIdAndSeqAreResent() throws Exception {
        cluster = new FakeCluster(3, 0);
        AtomicInteger refusals = new AtomicInteger(3);
        cluster.node(0).policy((n, r) -> {
            if (refusals.getAndDecrement() > 0) {
                n.retry(r);
            } else {
                n.answerOk(r);
            }
        });
        RaftClient client = cluster.client(cluster.fastOptions());
        assertEquals(new Result.Ok(null), client.put("k", Value.of("v")));
        List<FakeNode.Request> seen = cluster.node(0).requests();
        assertEquals(4, seen.size());
        assertEquals(1, pairs(seen).size(), "every retry carries the same (clientId, seq): " + pairs(seen));
        assertEquals(1, cluster.store.applied.size());
    }

    @Test
    void when_requestsAreDropped_then_timeoutsRetryWithTheSamePairAndApplyOnce() throws Exception {
        cluster = new FakeCluster(3, 0);
        AtomicInteger drops = new AtomicInteger(2);
        cluster.node(0).policy((n, r) -> {
            if (drops.getAndDecrement() <= 0) {
                n.answerOk(r);
            }
        });
        RaftClient client = cluster.client(cluster.fastOptions());
        assertEquals(new Result.Ok(null), client.put("k", Value.of(new byte[0])));
        Set<String> all = new HashSet<>();
        cluster.nodes.forEach(n -> all.addAll(pairs(n.requests())));
        assertEquals(1, all.size(), "one (clientId, seq) over all attempts: " + all);
        assertTrue(cluster.node(0).requests().size() >= 3);
        assertEquals(1, cluster.store.applied.size());
    }

    @Test
    void readsUseClientIdZeroAndAUniqueSeqEach() throws Exception {
        cluster = new FakeCluster(1, 0);
        RaftClient client = cluster.client(cluster.fastOptions());
        client.put("k", Value.of(7));
        for (int i = 0; i < 5; i++) {
            assertEquals(new Result.Found(Value.of(7)), client.get("k"));
        }
        assertEquals(new Result.NotFound(), client.get("absent"));
        List<FakeNode.Request> reads = cluster.node(0).requests().stream()
                .filter(r -> !r.request().command().isWrite()).collect(Collectors.toList());
        assertEquals(6, reads.size());
        assertTrue(reads.stream().allMatch(r -> r.clientId() == 0), "reads carry no session");
        assertEquals(6, reads.stream().map(FakeNode.Request::seq).distinct().count(), "one seq per read");
    }

    @Test
    void when_aReadIsRetried_then_itKeepsItsSeq() throws Exception {
        cluster = new FakeCluster(1, 0);
        AtomicInteger drops = new AtomicInteger(1);
        cluster.node(0).policy((n, r) -> {
            if (drops.getAndDecrement() <= 0) {
                n.answerOk(r);
            }
        });
        RaftClient client = cluster.client(cluster.fastOptions());
        assertEquals(new Result.NotFound(), client.get("k"));
        List<FakeNode.Request> seen = cluster.node(0).requests();
        assertTrue(seen.size() >= 2);
        assertEquals(1, pairs(seen).size());
    }

    @Test
    void staleAndDuplicateAnswersAreIgnored() throws Exception {
        cluster = new FakeCluster(1, 0);
        FakeNode leader = cluster.node(0);
        AtomicInteger calls = new AtomicInteger();
        leader.policy((n, r) -> {
            int call = calls.getAndIncrement();
            if (call == 0) {
                // the first attempt of write 1 is "slow": its answer is held, with a forged stale read answer
                ClientResponse late = n.applyAndPrepare(r);
                n.hold(() -> {
                    n.answer(r, late);
                    n.answer(r, late);
                });
            } else if (r.seq() == 2 && r.clientId() != 0) {
                n.releaseHeld(); // the late answers to write 1 arrive first, then write 2's, twice
                ClientResponse ok = n.applyAndPrepare(r);
                n.answer(r, ok);
                n.answer(r, ok);
            } else {
                n.answerOk(r);
            }
        });
        RaftClient client = cluster.client(cluster.fastOptions());
        assertEquals(new Result.Ok(null), client.put("k", Value.of(1)));
        assertEquals(new Result.Ok(Value.of(1)), client.put("k", Value.of(2)), "write 2 gets its own answer");
        assertEquals(new Result.Found(Value.of(2)), client.get("k"));
        assertTrue(client.counters().get("client.answers_stale") >= 2, client.counters().toString());
        assertEquals(2, cluster.store.applied.stream().filter(k -> !k.startsWith("read")).count());
    }

    @Test
    void when_aDelayedRefusalFromAnEarlierAttemptArrives_then_itIsIgnored() throws Exception {
        cluster = new FakeCluster(3, 1);
        FakeNode n0 = cluster.node(0);
        n0.policy((n, r) -> n.hold(() -> n.notLeader(r, 2))); // silent now; later a wrong hint
        cluster.node(1).policy((n, r) -> {
            n0.releaseHeld(); // node 0's late NOT_LEADER(2) reaches the client before node 1's OK
            n.answerOk(r);
        });
        RaftClient client = cluster.client(cluster.fastOptions());
        assertEquals(new Result.Ok(null), client.put("k", Value.of(1)));
        assertEquals(1, client.leader());
        assertTrue(cluster.node(2).requests().isEmpty(), "the stale hint was not followed");
    }

    @Test
    void when_sessionExpired_then_outcomeIsUnknownAndANewSessionStarts() throws Exception {
        cluster = new FakeCluster(1, 0);
        cluster.node(0).policy((n, r) -> {
            if (r.seq() == 2 && r.clientId() != 0) {
                n.answer(r, ClientResponse.ok(r.request(), new Result.SessionExpired()));
            } else {
                n.answerOk(r);
            }
        });
        RaftClient client = cluster.client(cluster.fastOptions());
        ClientSession session = client.newSession();
        session.put("a", Value.of(1));
        long before = session.clientId();
        RaftClientException e = assertThrows(RaftClientException.class, () -> session.put("a", Value.of(2)));
        assertEquals(RaftClientException.Kind.OUTCOME_UNKNOWN, e.kind());
        assertTrue(e.getMessage().contains("expired") && e.getMessage().contains("unknown"), e.getMessage());
        assertNotEquals(before, session.clientId(), "a new session");
        assertEquals(0, session.lastSeq());
        assertEquals(1, cluster.node(0).requests().stream().filter(r -> r.seq() == 2).count(), "not retried blindly");

        session.put("a", Value.of(3));
        FakeNode.Request last = cluster.node(0).requests().get(cluster.node(0).requests().size() - 1);
        assertEquals(session.clientId(), last.clientId());
        assertEquals(1, last.seq(), "the new session starts at seq 1");
    }

    @Test
    void when_noNodeAnswers_then_theDeadlineGivesAClearError() throws Exception {
        cluster = new FakeCluster(3, 0);
        cluster.nodes.forEach(n -> n.policy((x, r) -> { }));
        RaftClient client = cluster.client(cluster.fastOptions().withDeadlineMs(300));
        long start = System.nanoTime();
        RaftClientException e = assertThrows(RaftClientException.class, () -> client.put("k", Value.of(1)));
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertEquals(RaftClientException.Kind.NO_LEADER, e.kind());
        assertTrue(e.getMessage().startsWith("no leader answered within 300 ms; last answers: node 0 (127.0.0.1:9994): "
                + "no answer; node 1 (127.0.0.2:9994): "), e.getMessage());
        assertTrue(e.getMessage().endsWith("The put may or may not have been applied (at most once)"), e.getMessage());
        assertTrue(tookMs >= 290 && tookMs < 3_000, "gave up after " + tookMs + " ms");
    }

    @Test
    void when_everyNodeRefuses_then_theErrorSaysNothingWasApplied() throws Exception {
        cluster = new FakeCluster(3, 0);
        cluster.nodes.forEach(n -> n.policy((x, r) -> x.notLeader(r, -1)));
        RaftClient client = cluster.client(cluster.fastOptions().withAttemptsMax(6));
        RaftClientException e = assertThrows(RaftClientException.class, () -> client.delete("k"));
        assertEquals(RaftClientException.Kind.NO_LEADER, e.kind());
        assertTrue(e.getMessage().startsWith("no leader answered after 6 attempts in "), e.getMessage());
        assertTrue(e.getMessage().contains("node 2 (127.0.0.3:9994): not the leader (no leader known)"), e.getMessage());
        assertEquals(6, cluster.nodes.stream().mapToInt(n -> n.requests().size()).sum());
        assertTrue(e.getMessage().endsWith("The delete was not applied"), e.getMessage());
    }

    @Test
    void when_redirectsLoop_then_theClientBacksOffAndStaysBounded() throws Exception {
        cluster = new FakeCluster(2, 0);
        cluster.node(0).policy((n, r) -> n.notLeader(r, 1));
        cluster.node(1).policy((n, r) -> n.notLeader(r, 0));
        RaftClient client = cluster.client(cluster.fastOptions().withDeadlineMs(200).withAttemptsMax(50));
        RaftClientException e = assertThrows(RaftClientException.class, () -> client.get("k"));
        assertEquals(RaftClientException.Kind.NO_LEADER, e.kind());
        int sent = cluster.node(0).requests().size() + cluster.node(1).requests().size();
        assertTrue(sent <= 50, "attempts are bounded: " + sent);
    }

    @Test
    void concurrentSessionsApplyEveryWriteExactlyOnce() throws Exception {
        cluster = new FakeCluster(3, 1);
        java.util.Map<String, Integer> attempts = new java.util.concurrent.ConcurrentHashMap<>();
        cluster.node(1).policy((n, r) -> {
            boolean first = attempts.merge(r.clientId() + "/" + r.seq(), 1, Integer::sum) == 1;
            long h = first ? (r.clientId() ^ r.seq() * 31) & 7 : 7; // faults on first attempts only
            if (h == 0) {
                n.retry(r);
            } else if (h == 1) {
                return; // dropped
            } else {
                ClientResponse ok = n.applyAndPrepare(r);
                n.answer(r, ok);
                if (h == 2) {
                    n.answer(r, ok); // duplicated
                }
            }
        });
        RaftClient client = cluster.client(cluster.fastOptions());
        int threads = 6;
        int writes = 40;
        List<Thread> workers = new java.util.ArrayList<>();
        java.util.concurrent.ConcurrentLinkedQueue<Throwable> failures = new java.util.concurrent.ConcurrentLinkedQueue<>();
        for (int t = 0; t < threads; t++) {
            ClientSession s = client.newSession();
            String key = "k" + t;
            Thread w = new Thread(() -> {
                try {
                    for (int i = 1; i <= writes; i++) {
                        assertEquals(new Result.Appended(i), s.append(key, Value.of(i)));
                    }
                } catch (Throwable x) {
                    failures.add(x);
                }
            });
            workers.add(w);
            w.start();
        }
        for (Thread w : workers) {
            w.join(WAIT.toMillis());
        }
        assertTrue(failures.isEmpty(), failures.toString());
        assertEquals(threads * writes, cluster.store.applied.size());
    }

    @Test
    void inFlightOperationsAreBounded() throws Exception {
        cluster = new FakeCluster(1, 0);
        cluster.node(0).policy((n, r) -> { }); // never answers
        RaftClient client = cluster.client(cluster.fastOptions().withInFlightMax(1).withDeadlineMs(10_000));
        java.util.concurrent.CompletableFuture<RaftClientException> first = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                client.put("k", Value.of(1));
                return null;
            } catch (RaftClientException e) {
                return e;
            }
        });
        cluster.node(0).awaitRequest(WAIT);
        RaftClient quick = client;
        RaftClientException busy = assertThrows(RaftClientException.class, () -> quick.status(0, 100));
        assertEquals(RaftClientException.Kind.BUSY, busy.kind());
        assertTrue(busy.getMessage().contains("too many operations in flight (at most 1)"), busy.getMessage());
        client.close();
        RaftClientException closed = first.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(RaftClientException.Kind.CLOSED, closed.kind());
        assertEquals(RaftClientException.Kind.CLOSED,
                assertThrows(RaftClientException.class, () -> quick.get("k")).kind());
    }

    @Test
    void statusReportsAnswersAndSilentNodes() throws Exception {
        cluster = new FakeCluster(3, 0);
        cluster.node(1).answersStatus(false);
        RaftClient client = cluster.client(cluster.fastOptions());
        assertEquals("LEADER", client.status(0, 2_000).role());
        List<NodeStatus> all = client.statusAll(1_000);
        assertEquals(3, all.size());
        assertTrue(all.get(0).answered() && all.get(2).answered());
        assertEquals("no answer within 1 s", all.get(1).error());
        RaftClientException e = assertThrows(RaftClientException.class, () -> client.status(1, 100));
        assertEquals(RaftClientException.Kind.NO_ANSWER, e.kind());
        assertEquals("node 1 (127.0.0.2:9994) did not answer a status request within 100 ms", e.getMessage());
    }

    /** A leader that loses the first {@code lost} requests it gets (a lossy link), then answers. */
    private static FakeNode.Policy losesFirst(int lost) {
        java.util.concurrent.atomic.AtomicInteger seen = new java.util.concurrent.atomic.AtomicInteger();
        return (n, r) -> {
            if (seen.incrementAndGet() > lost) {
                n.answerOk(r);
            }
        };
    }

    @Test
    void when_aSmallWriteIsLostAgainAndAgain_then_itIsResentAtTheAttemptTimeoutWithoutGrowingWaits() throws Exception {
        cluster = new FakeCluster(1, 0);
        cluster.node(0).policy(losesFirst(8));
        // 100 ms attempts in a 2 s deadline: ten resends fit; doubling waits (100, 200, 400, 800 ms)
        // or a backoff after each would leave about five, and the write would fail
        RaftClient client = cluster.client(ClientOptions.of(cluster.addresses()).withAttemptTimeoutMs(100)
                .withBackoffMs(400, 1_000).withDeadlineMs(2_000).withSeed(42));
        assertEquals(new Result.Ok(null), client.put("k", Value.of(1)));
        assertEquals(9, cluster.node(0).requests().size(), "eight lost, the ninth answered");
    }

    @Test
    void when_aLargeWriteIsUnanswered_then_eachAttemptWaitsLongerThanTheLast() throws Exception {
        cluster = new FakeCluster(1, 0);
        cluster.node(0).policy((n, r) -> { }); // never answers: a slow commit, as far as the client can tell
        RaftClient client = cluster.client(ClientOptions.of(cluster.addresses()).withAttemptTimeoutMs(100)
                .withBackoffMs(1, 10).withDeadlineMs(2_000).withSeed(42));
        byte[] big = new byte[Call.LARGE_REQUEST_VALUE_BYTES + 1];
        assertThrows(RaftClientException.class, () -> client.put("big", Value.of(big)));
        // waits of 100, 200, 400, 800, 800 ms: at most six sends in 2 s, where flat waits would make twenty
        int sent = cluster.node(0).requests().size();
        assertTrue(sent >= 2 && sent <= 6, "large request sent " + sent + " times");
    }

    @Test
    void when_aLargeAnswerArrivesSlowerThanAnAttemptTimeout_then_theReadWaitsForItsChunksInsteadOfResending()
            throws Exception {
        cluster = new FakeCluster(1, 0);
        byte[] big = new byte[40_000]; // about 30 datagrams
        new java.util.Random(7).nextBytes(big);
        cluster.node(0).policy((n, r) -> {
            if (r.request().command().isWrite()) {
                n.answerOk(r);
            } else if (n.requests().size() == 2) { // the read's first attempt: 30 datagrams 10 ms apart
                n.answerSlowly(r, n.applyAndPrepare(r), 10);
            }
        });
        RaftClient client = cluster.client(ClientOptions.of(cluster.addresses()).withAttemptTimeoutMs(50)
                .withBackoffMs(1, 10).withDeadlineMs(5_000).withSeed(3));
        assertEquals(new Result.Ok(null), client.put("big", Value.of(big)));
        Result got = client.get("big");
        assertEquals(new Result.Found(Value.of(big)), got);
        // the answer takes ~300 ms, six attempt timeouts: without waiting for its chunks the
        // read is resent (and this node answers no resend)
        assertEquals(2, cluster.node(0).requests().size(), "the read was resent while its answer arrived");
    }

    @Test
    void when_aPacedLargeWriteTakesLongerToSendThanAnAttemptTimeout_then_itIsNotResentMeanwhile() throws Exception {
        cluster = new FakeCluster(3, 0);
        cluster.node(0).policy(FakeNode::answerOk);
        // 100 KB in about 75 datagrams, 2 ms apart: 150 ms on the wire, three attempt timeouts
        RaftClient client = cluster.client(ClientOptions.of(cluster.addresses()).withAttemptTimeoutMs(50)
                .withBackoffMs(1, 10).withDeadlineMs(5_000).withSeed(4).withPacing(2_000));
        assertEquals(new Result.Ok(null), client.put("big", Value.of(new byte[100_000])));
        long oneCopy = new raftudp.wire.WireCodec(0xFFFF, 1, raftudp.wire.WireLimits.DEFAULT, new raftudp.wire.WireStats())
                .encode(cluster.node(0).requests().get(0).request()).size();
        assertTrue(oneCopy > 50, "the write took " + oneCopy + " datagrams");
        // counted as they are handed to the pacer: a resend counts even while it waits its turn
        assertEquals(oneCopy, client.counters().get("tx.datagrams"), "the paced write was resent before it had all left");
        assertEquals(1, cluster.node(0).requests().size());
        assertTrue(cluster.node(1).requests().isEmpty() && cluster.node(2).requests().isEmpty(),
                "a paced write in flight was sent to another node");
    }
}
