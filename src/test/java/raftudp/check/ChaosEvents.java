package raftudp.check;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The nemesis's events file: fault windows (a start and an end line sharing an id), leader
 * observations and phase markers. Any fault kind is accepted. A start without an end is a
 * window still open when the run ended; an end without a start, a second start or end of one
 * id, or a malformed member is an input error.
 *
 * @param faults  fault windows, by start time
 * @param leaders leader observations, by time
 * @param phases  phase markers, by time
 */
public record ChaosEvents(List<FaultWindow> faults, List<LeaderSeen> leaders, List<Phase> phases) {

    /**
     * One fault window.
     *
     * @param id     the nemesis's id pairing start and end
     * @param kind   kill, pause, partition-majority, ... (any string)
     * @param startT when it began, monotonic nanoseconds
     * @param endT   when it ended, or {@link Long#MAX_VALUE} if no end was written
     * @param detail the start's detail text, or empty
     */
    public record FaultWindow(long id, String kind, long startT, long endT, String detail) {
        /** True when no end line was written. */
        public boolean isOpen() {
            return endT == Long.MAX_VALUE;
        }

        /** The end, or {@code runEndT} when the window is open. */
        public long endOr(long runEndT) {
            return isOpen() ? Math.max(startT, runEndT) : endT;
        }
    }

    /** A leader observation; {@code leader} is null when none was seen, {@code term} -1 if not given. */
    public record LeaderSeen(long t, String leader, long term) {
    }

    /** A phase marker: start, heal, end, ... */
    public record Phase(long t, String detail) {
    }

    public ChaosEvents {
        faults = List.copyOf(faults);
        leaders = List.copyOf(leaders);
        phases = List.copyOf(phases);
    }

    /** No events at all. */
    public static ChaosEvents empty() {
        return new ChaosEvents(List.of(), List.of(), List.of());
    }

    /**
     * Reads {@code file}.
     *
     * @param warnings receives a message for a dropped truncated last line
     * @throws ChaosInputException on any invalid or inconsistent line
     */
    public static ChaosEvents read(Path file, List<String> warnings) {
        Map<Long, JsonLines.Line> starts = new LinkedHashMap<>();
        Map<Long, Long> ends = new LinkedHashMap<>();
        List<LeaderSeen> leaders = new ArrayList<>();
        List<Phase> phases = new ArrayList<>();
        for (JsonLines.Line line : JsonLines.read(file, warnings)) {
            long t = JsonLines.integer(line, "t");
            String kind = JsonLines.string(line, "kind");
            switch (kind) {
                case "leader" -> leaders.add(new LeaderSeen(t, JsonLines.optionalString(line, "leader"),
                        line.fields().get("term") == null ? -1 : JsonLines.integer(line, "term")));
                case "phase" -> phases.add(new Phase(t, JsonLines.string(line, "detail")));
                default -> faultLine(line, t, starts, ends);
            }
        }
        List<FaultWindow> faults = new ArrayList<>();
        for (Map.Entry<Long, JsonLines.Line> s : starts.entrySet()) {
            JsonLines.Line line = s.getValue();
            String detail = JsonLines.optionalString(line, "detail");
            faults.add(new FaultWindow(s.getKey(), JsonLines.string(line, "kind"), JsonLines.integer(line, "t"),
                    ends.getOrDefault(s.getKey(), Long.MAX_VALUE), detail == null ? "" : detail));
        }
        faults.sort(Comparator.comparingLong(FaultWindow::startT).thenComparingLong(FaultWindow::id));
        leaders.sort(Comparator.comparingLong(LeaderSeen::t));
        phases.sort(Comparator.comparingLong(Phase::t));
        return new ChaosEvents(faults, leaders, phases);
    }

    private static void faultLine(JsonLines.Line line, long t, Map<Long, JsonLines.Line> starts, Map<Long, Long> ends) {
        String phase = JsonLines.string(line, "phase");
        long id = JsonLines.integer(line, "id");
        JsonLines.optionalString(line, "detail");
        switch (phase) {
            case "start" -> {
                JsonLines.Line earlier = starts.putIfAbsent(id, line);
                if (earlier != null) {
                    throw new ChaosInputException(line.where() + ": fault id " + id + " already started at "
                            + earlier.where());
                }
            }
            case "end" -> {
                JsonLines.Line start = starts.get(id);
                if (start == null) {
                    throw new ChaosInputException(line.where() + ": end of fault id " + id + " without a start before it");
                }
                if (!JsonLines.string(start, "kind").equals(JsonLines.string(line, "kind"))) {
                    throw new ChaosInputException(line.where() + ": end of fault id " + id + " has kind "
                            + JsonLines.string(line, "kind") + " but its start (" + start.where() + ") has "
                            + JsonLines.string(start, "kind"));
                }
                if (t < JsonLines.integer(start, "t")) {
                    throw new ChaosInputException(line.where() + ": fault id " + id + " ends before it starts");
                }
                if (ends.putIfAbsent(id, t) != null) {
                    throw new ChaosInputException(line.where() + ": fault id " + id + " already ended");
                }
            }
            default -> throw new ChaosInputException(line.where() + ": \"phase\" of a fault must be start or end, got "
                    + FlatJson.quote(phase));
        }
    }

    /** The time of the first phase marker with {@code detail}, or -1. */
    public long firstPhase(String detail) {
        for (Phase p : phases) {
            if (p.detail().equals(detail)) {
                return p.t();
            }
        }
        return -1;
    }

    /** Fault kinds whose window names one victim node, "(leader)" after it when it led. */
    public static final java.util.Set<String> ONE_VICTIM_KINDS =
            java.util.Set.of("kill", "pause", "disk-full", "partition-majority");

    /** True when the window's victim was not the leader (its detail does not say "(leader)"). */
    public static boolean sparesLeader(FaultWindow w) {
        return ONE_VICTIM_KINDS.contains(w.kind()) && !w.detail().contains("(leader)");
    }

    /**
     * True when a leader was seen before {@code w} started and, during the window or within
     * {@code afterNanos} after its end, another leader or the same one in another term was
     * seen: the fault deposed it. Sightings of no leader do not count (a status poll may miss).
     */
    public boolean leaderChangedAround(FaultWindow w, long runEndT, long afterNanos) {
        LeaderSeen before = null;
        for (LeaderSeen l : leaders) {
            if (l.t() < w.startT() && l.leader() != null) {
                before = l;
            }
        }
        if (before == null) {
            return false;
        }
        long until = w.endOr(runEndT) + afterNanos;
        for (LeaderSeen l : leaders) {
            if (l.t() >= w.startT() && l.t() <= until && l.leader() != null
                    && (!l.leader().equals(before.leader()) || l.term() != before.term())) {
                return true;
            }
        }
        return false;
    }

    /**
     * The number of leader changes: observations whose (leader, term) differs from the
     * previous observation that named a leader. The first leader seen is not a change;
     * "no leader seen" observations are not counted.
     */
    public int leaderChanges() {
        int changes = 0;
        LeaderSeen previous = null;
        for (LeaderSeen l : leaders) {
            if (l.leader() == null) {
                continue;
            }
            if (previous != null && (!previous.leader().equals(l.leader()) || previous.term() != l.term())) {
                changes++;
            }
            previous = l;
        }
        return changes;
    }
}
