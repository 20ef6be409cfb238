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
 * for kernels that lack it. Rules change at run time. What is delayed waits in a bounded
 * queue; beyond it datagrams are dropped and counted.
 */
public final class FaultyTransport implements Transport {
    /** Datagrams waiting for their delay at most. */
    public static final int DELAYED_MAX = 100_000;

    private final Transport inner;
    private final Map<InetAddress, FaultRule> rules = new ConcurrentHashMap<>();
    private volatile FaultRule everyone = FaultRule.NONE;
    private final SplittableRandom random;
    private final ScheduledExecutorService timer;
    private final AtomicInteger delayed = new AtomicInteger();
    private final LongAdder lost = new LongAdder();
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

    /** Applies {@code rule} to datagrams for {@code host}; {@link FaultRule#NONE} clears it. */
    public void setRule(InetAddress host, FaultRule rule) {
        if (rule.isNone()) {
            rules.remove(host);
        } else {
            rules.put(host, rule);
        }
    }

    /** Applies {@code rule} to every destination without a rule of its own. */
    public void setDefaultRule(FaultRule rule) {
        everyone = rule;
    }

    public void clearRules() {
        rules.clear();
        everyone = FaultRule.NONE;
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
        timer.schedule(() -> {
            delayed.decrementAndGet();
            inner.send(fromPort, to, payload);
        }, delayMs, TimeUnit.MILLISECONDS);
    }

    /** Counters for status: lost, duplicated, delay-queue overflow, currently delayed. */
    public Map<String, Long> counters() {
        return Map.of("fault.lost", lost.sum(), "fault.duplicated", duplicated.sum(),
                "fault.overflow", overflow.sum(), "fault.delayed", (long) delayed.get());
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
