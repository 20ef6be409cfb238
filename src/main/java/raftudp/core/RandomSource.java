package raftudp.core;

/**
 * The only source of randomness the core uses (randomized election timeouts). Injected so
 * that a simulation seed replays exactly; the runtime passes a generator seeded once at
 * start.
 */
@FunctionalInterface
public interface RandomSource {
    /** A uniformly distributed int in {@code [0, bound)}; {@code bound > 0}. */
    int nextInt(int bound);
}
