package raftudp.node;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import raftudp.core.Config;
import raftudp.core.Entry;
import raftudp.core.Message;
import raftudp.core.Raft;
import raftudp.core.RandomSource;
import raftudp.core.ReadState;
import raftudp.core.Ready;
import raftudp.core.Role;
import raftudp.core.SoftState;
import raftudp.core.Snapshot;
import raftudp.kv.ClientRequest;
import raftudp.kv.ClientResponse;
import raftudp.kv.Command;
import raftudp.kv.KvCodec;
import raftudp.kv.KvEntry;
import raftudp.kv.KvStore;
import raftudp.kv.Result;
import raftudp.storage.RaftStorage;
import raftudp.storage.SnapshotBytes;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * One replica: the Raft core, its storage and the key-value state machine, wired
 * together and driven from one thread. It owns no thread, socket or timer: the real node's
 * event loop and the simulator both call {@link #tick()}, {@link #receive(Message)} and
 * {@link #submit(ClientRequest, Object)}, then {@link #drain()}. Not thread-safe.
 *
 * <p>It keeps the promise "an acknowledged write is on a majority's disk": a client is
 * answered only when its entry is applied, which needs it committed, which needs a quorum's
 * persisted acks (the core counts its own log only once this class synced it).
 *
 * @param <A> how the transport addresses a client (an IP/port, a simulated client id)
 */
public final class Replica<A> {
    private static final Logger LOG = LoggerFactory.getLogger(Replica.class);

    /** Where the replica's output goes. Implementations must not throw. */
    public interface Outbox<A> {
        void send(Message m);

        void reply(A client, ClientResponse response);
    }

    /**
     * Tunables of the replica itself (the core's are in {@link Config}).
     *
     * @param snapshotEveryEntries a snapshot once this many entries were applied since the last
     * @param sessionTimeoutMs     idle client sessions expire after this
     * @param sessionsMax          most client sessions kept
     * @param snapshotEveryBytes   a snapshot, too, once the entries applied since the last hold
     *                             this many bytes: the log the core keeps in memory stays
     *                             below it (plus what is not yet applied), whatever the entry
     *                             sizes
     */
    public record Options(long snapshotEveryEntries, long sessionTimeoutMs, int sessionsMax, long snapshotEveryBytes) {
        /** Default of {@link #snapshotEveryBytes}. */
        public static final long SNAPSHOT_EVERY_BYTES_DEFAULT = 64L << 20;

        public Options {
            if (snapshotEveryEntries < 1 || snapshotEveryBytes < 1) {
                throw new IllegalArgumentException("snapshot intervals must be at least 1 entry and 1 byte");
            }
        }

        public Options(long snapshotEveryEntries, long sessionTimeoutMs, int sessionsMax) {
            this(snapshotEveryEntries, sessionTimeoutMs, sessionsMax, SNAPSHOT_EVERY_BYTES_DEFAULT);
        }

        public static Options defaults() {
            return new Options(10_000, 3_600_000, 100_000);
        }
    }

    private record PendingWrite<A>(long term, ClientRequest request, A client) {
    }

    private record PendingRead<A>(ClientRequest request, A client, long index) {
    }

    private final Config config;
    private final RaftStorage storage;
    private final Outbox<A> out;
    private final Options options;
    private final LongSupplier clockMs;
    private final Raft raft;
    private KvStore kv;
    /** The index of the received snapshot {@link #checkSnapshot} accepted last, or -1. */
    private long checkedIndex = -1;
    /** Bytes of the entries applied since the last snapshot (taken or installed). */
    private long appliedBytesSinceSnapshot;

    private final Map<Long, PendingWrite<A>> writes = new LinkedHashMap<>();
    private final Map<Long, PendingRead<A>> readsConfirming = new LinkedHashMap<>();
    private final ArrayDeque<PendingRead<A>> readsWaitingApply = new ArrayDeque<>();
    private long readRequestIds;
    private Observer observer = new Observer() { };
    private Role lastRole;

    /**
     * Restarts a replica from {@code storage} (empty for a new node).
     *
     * @param clockMs wall clock of this node, stamped into proposed entries for
     *                deterministic session expiry; never read on the apply path
     */
    public Replica(Config config, RaftStorage storage, RandomSource random, Outbox<A> out,
                   Options options, LongSupplier clockMs) {
        this.config = config;
        this.storage = storage;
        this.out = out;
        this.options = options;
        this.clockMs = clockMs;
        RaftStorage.Recovered rec = storage.load();
        this.kv = rec.snapshot() == null
                ? new KvStore(options.sessionTimeoutMs(), options.sessionsMax())
                : KvStore.restore(SnapshotBytes.buffer(rec.snapshot().data()), options.sessionTimeoutMs(),
                        options.sessionsMax());
        this.raft = new Raft(config, rec.hardState(), rec.snapshot(), rec.entries(), random, this::checkSnapshot,
                storage.snapshotSinks(), storage.incarnation());
        this.lastRole = raft.role();
    }

    /** One tick of logical time. Call {@link #drain()} after. */
    public void tick() {
        raft.tick();
    }

    /** A message from a peer. Call {@link #drain()} after (once per batch is enough). */
    public void receive(Message m) {
        raft.step(m);
    }

    /**
     * A client request. Writes go through the log; gets through ReadIndex. The answer goes
     * to {@code client} through the outbox, possibly much later.
     */
    public void submit(ClientRequest req, A client) {
        Command cmd = req.command();
        if (cmd instanceof Command.Get) {
            long id = ++readRequestIds;
            Raft.Status st = raft.readIndex(id);
            if (st == Raft.Status.OK) {
                readsConfirming.put(id, new PendingRead<>(req, client, -1));
            } else {
                answerRefused(st, req, client);
            }
            return;
        }
        byte[] data = KvCodec.encodeEntry(new KvEntry(req.clientId(), req.seq(), clockMs.getAsLong(), cmd));
        Raft.Proposal p = raft.propose(data);
        if (p.status() == Raft.Status.OK) {
            writes.put(p.index(), new PendingWrite<>(p.term(), req, client));
        } else {
            answerRefused(p.status(), req, client);
        }
    }

    private void answerRefused(Raft.Status st, ClientRequest req, A client) {
        out.reply(client, st == Raft.Status.NOT_LEADER
                ? ClientResponse.notLeader(req, raft.leader())
                : ClientResponse.retry(req, raft.leader()));
    }

    /** Asks the leader to hand leadership to {@code target} (thesis §3.10). */
    public Raft.Status transferLeadership(int target) {
        return raft.transferLeadership(target);
    }

    /**
     * Carries out everything the core asked for, in the order {@link Ready} gives: send the
     * leader's replication messages (thesis §10.2.1: the leader's fsync overlaps the
     * followers'), persist and sync, then send the rest, then apply and answer clients. Call
     * after each input or batch of inputs.
     */
    public void drain() {
        while (raft.hasReady()) {
            Ready rd = raft.ready();
            for (Message m : rd.sendFirst()) {
                out.send(m);
            }
            persist(rd);
            for (Message m : rd.messages()) {
                out.send(m);
            }
            for (Entry e : rd.committed()) {
                apply(e);
            }
            for (ReadState rs : rd.readStates()) {
                confirmRead(rs);
            }
            if (rd.softState() != null) {
                roleChanged(rd.softState());
            }
            raft.advance(rd);
            serveReads();
            maybeSnapshot();
        }
    }

    private void persist(Ready rd) {
        boolean wrote = false;
        if (rd.snapshot() != null) {
            storage.saveSnapshot(rd.snapshot());
            if (checkedIndex != rd.snapshot().index()) {
                throw new IllegalStateException("node " + config.id() + ": installing " + rd.snapshot()
                        + " that the state machine did not check");
            }
            // The old state goes before the new one is built: one state on the heap at a time.
            kv = null;
            kv = KvStore.restore(SnapshotBytes.buffer(rd.snapshot().data()), options.sessionTimeoutMs(),
                    options.sessionsMax());
            checkedIndex = -1;
            appliedBytesSinceSnapshot = 0;
            observer.restored(rd.snapshot().index());
            wrote = true;
        }
        if (!rd.entries().isEmpty()) {
            storage.append(rd.entries());
            wrote = true;
        }
        if (rd.hardState() != null) {
            storage.saveHardState(rd.hardState());
            wrote = true;
        }
        if (wrote) {
            storage.sync();
        }
    }

    /**
     * The core's check of a received snapshot, before it installs it: the image must be a
     * key-value state that parses and passes its own CRC. Parsed and dropped (no second state
     * on the heap); {@link #persist} builds the state once the image is installed.
     */
    private boolean checkSnapshot(Snapshot s) {
        try {
            KvStore.validate(SnapshotBytes.buffer(s.data()));
            checkedIndex = s.index();
            return true;
        } catch (RuntimeException e) { // KvCodec.MalformedException, or a bug: never install it
            checkedIndex = -1;
            LOG.warn("node {}: refused a received snapshot through index {}: {}", config.id(), s.index(),
                    e.getMessage());
            return false;
        }
    }

    private void apply(Entry e) {
        observer.applied(e);
        appliedBytesSinceSnapshot += e.data().length;
        PendingWrite<A> pw = writes.remove(e.index());
        if (e.kind() != Entry.Kind.NORMAL) {
            if (pw != null) {
                out.reply(pw.client(), ClientResponse.retry(pw.request(), raft.leader()));
            }
            return;
        }
        KvEntry ke;
        try {
            ke = KvCodec.decodeEntry(e.data());
        } catch (KvCodec.MalformedException ex) {
            // A committed entry we cannot read: applying anything further would diverge.
            throw new IllegalStateException("node " + config.id() + ": committed entry " + e
                    + " is corrupt: " + ex.getMessage(), ex);
        }
        Result result = kv.apply(ke);
        if (pw == null) {
            return;
        }
        if (pw.term() == e.term()) {
            out.reply(pw.client(), ClientResponse.ok(pw.request(), result, raft.leader()));
        } else {
            // our proposal at this index was overwritten: it never commits; let the client retry
            out.reply(pw.client(), ClientResponse.retry(pw.request(), raft.leader()));
        }
    }

    private void confirmRead(ReadState rs) {
        PendingRead<A> pr = readsConfirming.remove(rs.requestId());
        if (pr == null) {
            return;
        }
        if (rs.ok()) {
            readsWaitingApply.addLast(new PendingRead<>(pr.request(), pr.client(), rs.index()));
        } else {
            out.reply(pr.client(), ClientResponse.retry(pr.request(), raft.leader()));
        }
    }

    private void serveReads() {
        long applied = raft.appliedIndex();
        Iterator<PendingRead<A>> it = readsWaitingApply.iterator();
        while (it.hasNext()) {
            PendingRead<A> pr = it.next();
            if (pr.index() <= applied) {
                it.remove();
                out.reply(pr.client(), ClientResponse.ok(pr.request(),
                        kv.read((Command.Get) pr.request().command()), raft.leader()));
            }
        }
    }

    private void maybeSnapshot() {
        long applied = raft.appliedIndex();
        Snapshot last = raft.snapshot();
        long covered = last == null ? 0 : last.index();
        if (applied - covered < options.snapshotEveryEntries()
                && appliedBytesSinceSnapshot < options.snapshotEveryBytes()) {
            return;
        }
        if (applied <= covered) {
            return;
        }
        // The store writes itself into the storage's file: no copy of the state on the heap.
        Snapshot s = storage.writeSnapshot(applied, raft.termAt(applied), raft.membersAt(applied), kv.snapshotSize(),
                kv::writeSnapshot);
        raft.compact(s.index(), s.data());
        appliedBytesSinceSnapshot = 0;
    }

    /** The core reported a new role, leader or term. */
    private void roleChanged(SoftState now) {
        if (lastRole == Role.LEADER && now.role() != Role.LEADER) {
            // Pending writes may or may not commit under the next leader: the clients retry
            // with the same (clientId, seq), which the session table applies at most once.
            for (PendingWrite<A> pw : writes.values()) {
                out.reply(pw.client(), ClientResponse.retry(pw.request(), now.leader()));
            }
            writes.clear();
        }
        LOG.info("node {}: {} in term {} (leader {})", config.id(), now.role(), now.term(),
                now.leader() == Raft.NONE ? "unknown" : now.leader());
        lastRole = now.role();
    }

    // ---------------------------------------------------------------- observation

    /** Watches what the state machine goes through (checkers, metrics). Must not throw. */
    public interface Observer {
        /** {@code e} is about to be applied. */
        default void applied(Entry e) {
        }

        /** The state machine was replaced by a snapshot through {@code index}. */
        default void restored(long index) {
        }
    }

    public void observe(Observer observer) {
        this.observer = observer;
    }

    /**
     * Null while this node may take part; otherwise why its data is known to be lost and what to
     * do ({@link Raft#dataLost()}). Nothing more comes out of the replica once it is set.
     */
    public String dataLost() {
        return raft.dataLost();
    }

    public Raft raft() {
        return raft;
    }

    public KvStore kv() {
        return kv;
    }

    public int id() {
        return config.id();
    }

    /** Client requests waiting for an answer (writes and reads). */
    public int pendingRequests() {
        return writes.size() + readsConfirming.size() + readsWaitingApply.size();
    }

    /** A point-in-time view for status answers. */
    public NodeStatus status() {
        return new NodeStatus(config.id(), raft.role(), raft.term(), raft.leader(), raft.commitIndex(),
                raft.appliedIndex(), raft.firstIndex(), raft.lastIndex(), raft.matchIndexes(), kv.size());
    }

    /** Snapshot of a replica's state for status displays. */
    public record NodeStatus(int id, Role role, long term, int leader, long commitIndex, long appliedIndex,
                             long firstIndex, long lastIndex, Map<Integer, Long> matchIndex, int keys) {
        public NodeStatus {
            matchIndex = Map.copyOf(matchIndex);
        }
    }
}
