package raftudp.storage;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;
import raftudp.core.Entry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Deterministic entries and directory helpers for the storage tests. */
final class Fixtures {
    private Fixtures() {
    }

    /** The entry at {@code index} of {@code term}: content derived from both, varied size, some NOOPs. */
    static Entry entry(long index, long term) {
        if (index % 29 == 0) {
            return new Entry(index, term, Entry.Kind.NOOP, Entry.EMPTY);
        }
        int n = (int) ((index * 31 + term * 7) % 90);
        byte[] data = new byte[n];
        for (int i = 0; i < n; i++) {
            data[i] = (byte) (index * 13 + term * 101 + i * 7);
        }
        return new Entry(index, term, Entry.Kind.NORMAL, data);
    }

    /** Entries {@code from..to} of {@code term}. */
    static List<Entry> entries(long from, long to, long term) {
        List<Entry> out = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            out.add(entry(i, term));
        }
        return out;
    }

    /** Is {@code e} exactly what {@link #entry} makes for its index and term? */
    static boolean wellFormed(Entry e) {
        return e.equals(entry(e.index(), e.term()));
    }

    /** Silences the storage loggers (tests that provoke thousands of expected WARNs); returns the old level. */
    static Level quietStorageLogs() {
        Logger l = (Logger) LoggerFactory.getLogger("raftudp.storage");
        Level old = l.getLevel();
        l.setLevel(Level.OFF);
        return old;
    }

    static void restoreStorageLogs(Level old) {
        ((Logger) LoggerFactory.getLogger("raftudp.storage")).setLevel(old);
    }

    static FileStorageOptions.Builder opts(Path dir) {
        return FileStorageOptions.builder(dir);
    }

    /** Segment files in {@code dir}, sorted by name (= by first index). */
    static List<Path> segments(Path dir) {
        return list(dir, ".wal");
    }

    static List<Path> list(Path dir, String suffix) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Copies the regular files of {@code from} into a fresh {@code to} (not the lock). */
    static void copyDir(Path from, Path to) {
        try {
            Files.createDirectories(to);
            try (Stream<Path> s = Files.list(from)) {
                for (Path p : s.toList()) {
                    if (!p.getFileName().toString().equals(DirLock.NAME)) {
                        Files.copy(p, to.resolve(p.getFileName()));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void write(Path p, byte[] b) {
        try {
            Files.write(p, b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
