package raftudp.sim;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

/**
 * Keeps a simulation's threads quiet below ERROR: a seed drops thousands of partial
 * messages on purpose, and their rate-limited WARN lines would cost more than the run.
 * Only the threads inside {@link #quietly} are filtered, so tests running beside the
 * simulator in the same JVM keep their logs; a traced replay ({@code make sim SEED=})
 * keeps everything.
 */
final class SimLogs {
    private static final ThreadLocal<Boolean> QUIET = ThreadLocal.withInitial(() -> false);
    private static boolean installed;

    private SimLogs() {
    }

    /** Runs {@code work} with this thread's log events below ERROR dropped. */
    static <T> T quietly(java.util.function.Supplier<T> work) {
        install();
        boolean before = QUIET.get();
        QUIET.set(true);
        try {
            return work.get();
        } finally {
            QUIET.set(before);
        }
    }

    private static synchronized void install() {
        if (installed || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        context.addTurboFilter(new TurboFilter() {
            @Override
            public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params,
                                      Throwable t) {
                return QUIET.get() && level != null && !level.isGreaterOrEqual(Level.ERROR)
                        ? FilterReply.DENY : FilterReply.NEUTRAL;
            }
        });
        installed = true;
    }
}
