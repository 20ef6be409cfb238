package raftudp.transport;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Wraps a transport and applies {@link FaultRule}s per destination host to what it sends:
 * loss, delay, jitter (hence reordering) and duplication — the faults netem would apply,
 * for kernels that lack it. Rules change at run time, from any thread. What is delayed
 * waits in a bounded queue; beyond it datagrams are dropped and counted.
 *
 * <p>Without any rule, {@link #send} reads one volatile flag and calls the inner transport:
 * no lookup, no allocation (a test holds this). Delayed datagrams are sent from this
 * transport's own timer thread, in order of their due time (equal delays keep their order).
 */
public final class FaultyTransport implements Transport {
    /** Datagrams waiting for their delay at most. */
    public static final int DELAYED_MAX = 100_000;
    /** Most per-host rules. */
    public static final int RULES_MAX = 1_000;

    private final Transport inner;
    private final Map<InetAddress, FaultRule> rules = new ConcurrentHashMap<>();
    private volatile FaultRule everyone = FaultRule.NONE;
    /** False while there is no rule at all: the fast path. */
    private volatile boolean active;
    private final SplittableRandom random;
    private final ScheduledExecutorService timer;
    private final AtomicInteger delayed = new AtomicInteger();
    private final LongAdder lost = new LongAdder();
    private final LongAdder delayedTotal = new LongAdder();
    private final LongAdder duplicated = new LongAdder();
    private final LongAdder overflow = new LongAdder();

    /** @param seed seeds the fault decisions, so a run's faults can be repeated */
    public FaultyTransport(Transport inner, long seed) {
        this.inner = inner;
        this.random = new SplittableRandom(seed);
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread th = new Thread(r, "fault-delay");
            th.setDaemon(true);
            return th;
        });
        t.setRemoveOnCancelPolicy(true);
        this.timer = t;
    }

    /**
     * Applies {@code rule} to datagrams for {@code host}; {@link FaultRule#NONE} clears it.
     *
     * @throws IllegalStateException when {@link #RULES_MAX} other hosts have rules already
     */
    public synchronized void setRule(InetAddress host, FaultRule rule) {
        if (rule.isNone()) {
            rules.remove(host);
        } else {
            if (!rules.containsKey(host) && rules.size() >= RULES_MAX) {
                throw new IllegalStateException("at most " + RULES_MAX + " per-host fault rules");
            }
            rules.put(host, rule);
        }
        active = !rules.isEmpty() || !everyone.isNone();
    }

    /** Applies {@code rule} to every destination without a rule of its own. */
    public synchronized void setDefaultRule(FaultRule rule) {
        everyone = rule;
        active = !rules.isEmpty() || !everyone.isNone();
    }

    public synchronized void clearRules() {
        rules.clear();
        everyone = FaultRule.NONE;
        active = false;
    }

    /** The rules in force: per host, and "*" for the default. */
    public Map<String, FaultRule> rules() {
        Map<String, FaultRule> out = new java.util.TreeMap<>();
        rules.forEach((h, r) -> out.put(h.getHostAddress(), r));
        if (!everyone.isNone()) {
            out.put("*", everyone);
        }
        return out;
    }

    @Override
    public void start(Set<Integer> ports, DatagramSink sink) throws TransportException {
        inner.start(ports, sink);
    }

    @Override
    public void send(int fromPort, InetSocketAddress to, byte[] payload) {
        if (!active) {
            inner.send(fromPort, to, payload);
            return;
        }
        FaultRule rule = rules.getOrDefault(to.getAddress(), everyone);
        if (rule.isNone()) {
            inner.send(fromPort, to, payload);
            return;
        }
        double lossDraw;
        double dupDraw;
        int delay1;
        int delay2;
        synchronized (random) {
            lossDraw = random.nextDouble();
            dupDraw = random.nextDouble();
            delay1 = rule.delayMs() + (rule.jitterMs() > 0 ? random.nextInt(rule.jitterMs() + 1) : 0);
            delay2 = rule.delayMs() + (rule.jitterMs() > 0 ? random.nextInt(rule.jitterMs() + 1) : 0);
        }
        if (lossDraw < rule.lossRate()) {
            lost.increment();
            return;
        }
        sendAfter(delay1, fromPort, to, payload);
        if (dupDraw < rule.duplicateRate()) {
            duplicated.increment();
            sendAfter(delay2, fromPort, to, payload);
        }
    }

    /** Sends past every rule: for control answers that must get through whatever the rules say. */
    public void sendUnfaulted(int fromPort, InetSocketAddress to, byte[] payload) {
        inner.send(fromPort, to, payload);
    }

    private void sendAfter(int delayMs, int fromPort, InetSocketAddress to, byte[] payload) {
        if (delayMs == 0) {
            inner.send(fromPort, to, payload);
            return;
        }
        if (delayed.incrementAndGet() > DELAYED_MAX) {
            delayed.decrementAndGet();
            overflow.increment();
            return;
        }
        delayedTotal.increment();
        timer.schedule(() -> {
            delayed.decrementAndGet();
            inner.send(fromPort, to, payload);
        }, delayMs, TimeUnit.MILLISECONDS);
    }

    /**
     * Counters for status: {@code fault.lost}, {@code fault.delayed} (datagrams held back,
     * copies included), {@code fault.duplicated} (copies made), {@code fault.overflow}
     * (dropped because {@link #DELAYED_MAX} were waiting), and the gauge {@code fault.queued}
     * (waiting now).
     */
    public Map<String, Long> counters() {
        return Map.of("fault.lost", lost.sum(), "fault.duplicated", duplicated.sum(),
                "fault.overflow", overflow.sum(), "fault.delayed", delayedTotal.sum(),
                "fault.queued", (long) delayed.get());
    }

    /** The inner transport (for its own counters). */
    public Transport inner() {
        return inner;
    }

    @Override
    public String name() {
        return inner.name() + "+faults";
    }

    @Override
    public void close() {
        timer.shutdownNow();
        inner.close();
    }
}
