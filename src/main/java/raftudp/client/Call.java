package raftudp.client;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import raftudp.kv.ClientRequest;
import raftudp.kv.Command;
import raftudp.kv.ClientResponse;
import raftudp.kv.Result;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * One operation's attempts: send, wait, follow a redirect or back off, until an OK answer,
 * the deadline or the attempt limit. Every send carries the same request, so the same
 * (clientId, seq). Used by one thread; answers come through its {@link Mailbox}.
 *
 * <p>Which answers count: an OK from any node ends the operation (the cluster applied or
 * read it, whichever attempt it answers). A NOT_LEADER or RETRY counts only from the node
 * of the current attempt; from another node it is a late answer to an earlier attempt,
 * already acted upon, and is ignored.
 */
final class Call {
    private static final Logger LOG = LoggerFactory.getLogger(Call.class);
    /** Largest exponent of the backoff doubling (keeps the shift in range). */
    private static final int BACKOFF_DOUBLINGS_MAX = 20;
    /**
     * For a large request an attempt's wait doubles after each unanswered attempt, up to this
     * many times: its commit takes long, and every resent write is one more large log entry.
     */
    private static final int ATTEMPT_TIMEOUT_DOUBLINGS_MAX = 3;
    /**
     * Requests whose values take more bytes than this are large (more than one datagram).
     * A small one keeps its attempt wait: a lost datagram is far likelier than a slow commit,
     * and an OK answer to an earlier attempt counts whenever it arrives, so waiting longer
     * would only delay the resend that loss needs (measured: under 5% loss per link, doubling
     * left about four attempts at the leader in 10 s, and writes failed).
     */
    static final int LARGE_REQUEST_VALUE_BYTES = 1_200;

    private final RaftClient client;
    private final ClientOptions options;
    private final ClientRequest request;
    private final Mailbox box;
    private final long deadlineNanos;
    private final long startNanos = System.nanoTime();
    /** How often an unanswered attempt doubles the next one's wait: 0 for small requests. */
    private final int attemptDoublingsMax;
    /** Each node's last answer in words, for the error message. */
    private final Map<Integer, String> lastAnswers = new TreeMap<>();
    private int attempts;
    private int backoffs;
    private int timeouts;
    /** Redirects followed in a row without a pause; bounded so that a redirect loop backs off. */
    private int hops;
    /** An attempt may have reached the leader (no answer, or RETRY): a write may have been applied. */
    private boolean maybeApplied;

    Call(RaftClient client, ClientRequest request, Mailbox box, long deadlineNanos) {
        this.client = client;
        this.options = client.options();
        this.request = request;
        this.box = box;
        this.deadlineNanos = deadlineNanos;
        this.attemptDoublingsMax = valueBytes(request.command()) > LARGE_REQUEST_VALUE_BYTES
                ? ATTEMPT_TIMEOUT_DOUBLINGS_MAX : 0;
    }

    /** The bytes of the values a command carries. */
    static int valueBytes(Command c) {
        if (c instanceof Command.Put p) {
            return p.value().encodedSize();
        }
        if (c instanceof Command.Append a) {
            return a.value().encodedSize();
        }
        if (c instanceof Command.Cas cas) {
            return (cas.expected() == null ? 0 : cas.expected().encodedSize()) // null: "expected absent"
                    + (cas.update() == null ? 0 : cas.update().encodedSize());
        }
        return 0;
    }

    /** Runs the attempts; returns the cluster's result or fails with a message saying what each node last said. */
    Result run() throws RaftClientException {
        int target = client.startNode();
        while (true) {
            if (attempts >= options.attemptsMax()) {
                throw giveUp("after " + attempts + " attempts in " + Texts.millis(elapsedMs()));
            }
            int datagrams = send(target);
            long waitNanos = ms(options.attemptTimeoutMs() << Math.min(timeouts, attemptDoublingsMax))
                    + pacedNanos(datagrams);
            RaftClient.Answer a = awaitAnswer(target, Math.min(deadlineNanos, System.nanoTime() + waitNanos));
            if (a == null) {
                timeouts++;
                maybeApplied = true;
                lastAnswers.put(target, "no answer");
                client.leaderLost(target);
                target = next(target);
                // The attempt's own wait was the pause: backing off on top of it would leave
                // a lossy network few resends before the deadline.
                if (System.nanoTime() - deadlineNanos >= 0) {
                    throw giveUp("within " + Texts.millis(options.deadlineMs()));
                }
                continue;
            } else {
                ClientResponse r = (ClientResponse) a.message();
                if (r.status() == ClientResponse.Status.OK) {
                    return done(a);
                }
                int hint = hint(r.leaderHint());
                if (r.status() == ClientResponse.Status.NOT_LEADER) {
                    lastAnswers.put(target, hint >= 0 ? "not the leader (leader: node " + hint + ")"
                            : "not the leader (no leader known)");
                    client.leaderLost(target);
                    boolean redirect = hint >= 0 && hint != target;
                    if (redirect && hops < options.nodes().size()) {
                        hops++;
                        target = hint;
                        continue;
                    }
                    target = redirect ? hint : next(target);
                } else {
                    maybeApplied = true;
                    lastAnswers.put(target, "RETRY (busy, or leadership changing)");
                    target = hint >= 0 ? hint : target;
                }
            }
            RaftClient.Answer late = pause();
            if (late != null) {
                return done(late);
            }
        }
    }

    /** Sends the request to {@code target}; returns how many datagrams it took. */
    private int send(int target) {
        attempts++;
        LOG.debug("{} (client {}, seq {}) -> {}, attempt {}", Texts.command(request.command()),
                Texts.clientId(request.clientId()), request.seq(), client.describe(target), attempts);
        return client.send(target, request);
    }

    /**
     * What pacing adds to an attempt of {@code datagrams} datagrams: the time the request
     * takes to leave (one gap per datagram), then the leader's copy of it to each follower,
     * paced the same way on one schedule; one such time per node. Without it a paced 1 MiB
     * write (745 datagrams, 0.2 ms apart: 0.15 s to send, 0.3 s more to reach two followers)
     * was resent before it could commit, every resend one more 1 MiB entry to replicate.
     */
    long pacedNanos(int datagrams) {
        if (datagrams <= 1) {
            return 0;
        }
        return TimeUnit.MICROSECONDS.toNanos(options.paceGapMicros()) * datagrams * options.nodes().size();
    }

    /**
     * The next answer that counts for an attempt to {@code target}: an OK from anyone, or a
     * refusal from {@code target}; null when none comes before {@code untilNanos}. While the
     * chunks of an answer to this request keep arriving (a large value, paced by the node)
     * the wait goes on until one attempt timeout after the last of them, up to the deadline.
     */
    private RaftClient.Answer awaitAnswer(int target, long untilNanos) throws RaftClientException {
        long attemptNanos = ms(options.attemptTimeoutMs());
        while (true) {
            RaftClient.Answer a = box.poll(untilNanos);
            if (a == null) {
                long more = Math.min(deadlineNanos, box.lastChunkNanos() + attemptNanos);
                if (box.chunksArrived() && more - System.nanoTime() > 0) {
                    untilNanos = more;
                    continue;
                }
                return null;
            }
            ClientResponse r = (ClientResponse) a.message();
            if (r.status() == ClientResponse.Status.OK || a.node() == target) {
                return a;
            }
            LOG.debug("ignored a late {} from {} (current attempt: node {})", r.status(), a.from(), target);
        }
    }

    /**
     * Waits the backoff before the next attempt, exponential with jitter; an OK answer to an
     * earlier attempt that arrives meanwhile ends the wait and is returned.
     *
     * @throws RaftClientException when the deadline passes
     */
    private RaftClient.Answer pause() throws RaftClientException {
        hops = 0;
        long capMs = Math.min(options.backoffMaxMs(), options.backoffBaseMs() << Math.min(backoffs, BACKOFF_DOUBLINGS_MAX));
        backoffs++;
        long delayMs = capMs / 2 + client.randomBelow(capMs / 2 + 1);
        long until = Math.min(deadlineNanos, System.nanoTime() + ms(delayMs));
        RaftClient.Answer a;
        while ((a = box.poll(until)) != null) {
            if (((ClientResponse) a.message()).status() == ClientResponse.Status.OK) {
                return a;
            }
        }
        if (System.nanoTime() - deadlineNanos >= 0) {
            throw giveUp("within " + Texts.millis(options.deadlineMs()));
        }
        return null;
    }

    private Result done(RaftClient.Answer a) {
        client.leaderFound(a.node());
        ClientResponse r = (ClientResponse) a.message();
        LOG.debug("{} answered by {} after {} attempt(s): {}", Texts.command(request.command()), a.from(), attempts,
                Texts.result(r.result()));
        return r.result();
    }

    private RaftClientException giveUp(String when) {
        StringBuilder sb = new StringBuilder("no leader answered ").append(when).append("; last answers: ");
        for (int i = 0; i < options.nodes().size(); i++) {
            if (i > 0) {
                sb.append("; ");
            }
            sb.append(client.describe(i)).append(": ").append(lastAnswers.getOrDefault(i, "not asked"));
        }
        if (request.command().isWrite()) {
            sb.append(maybeApplied ? ". The " + Texts.verb(request.command())
                    + " may or may not have been applied (at most once)"
                    : ". The " + Texts.verb(request.command()) + " was not applied");
        }
        return new RaftClientException(RaftClientException.Kind.NO_LEADER, sb.toString());
    }

    /** A leader hint that names a node of our list, or -1. */
    private int hint(int leaderHint) {
        return leaderHint >= 0 && leaderHint < options.nodes().size() ? leaderHint : -1;
    }

    private int next(int node) {
        return (node + 1) % options.nodes().size();
    }

    private long elapsedMs() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    private static long ms(long millis) {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }
}
