package raftudp.check;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import javax.imageio.ImageIO;
import raftudp.check.ChaosEvents.FaultWindow;
import raftudp.check.ChaosEvents.LeaderSeen;
import raftudp.check.ChaosHistory.ClientOp;
import raftudp.check.ChaosHistory.Outcome;

/**
 * Draws the timeline of a chaos run as a PNG: one band per fault kind with a bar per window,
 * a row showing which node led, marks for unknown and failed completions, and the throughput
 * (ok completions per second, in 1 s buckets) with its axis. The x axis is seconds since the
 * run's origin. Headless (java.awt without a display).
 *
 * <p>Text needs fonts; when drawing text fails (a machine without fonts), the picture is
 * still drawn without any text, and {@link #warnings()} says so.
 */
public final class TimelinePlot {

    /** Draws one string; the default is {@link Graphics2D#drawString(String, float, float)}. */
    @FunctionalInterface
    public interface TextPainter {
        void draw(Graphics2D g, String text, float x, float y);
    }

    public static final int WIDTH = 1400;
    public static final int HEIGHT = 600;

    private static final int LEFT = 150;
    private static final int RIGHT = 30;
    private static final int ROW_HEIGHT = 14;
    private static final int ROW_GAP = 4;
    private static final long SECOND_NS = 1_000_000_000L;
    private static final Color[] PALETTE = {
        new Color(0xd62728), new Color(0x1f77b4), new Color(0x2ca02c), new Color(0xff7f0e),
        new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf),
        new Color(0xbcbd22), new Color(0x7f7f7f), new Color(0x393b79), new Color(0xad494a),
        new Color(0x637939), new Color(0x843c39),
    };

    private final TextPainter painter;
    private final List<String> warnings = new ArrayList<>();
    private boolean textWorks = true;
    private Graphics2D g;
    private long originT;
    private long endT;

    /** A plot drawing text with {@link Graphics2D#drawString(String, float, float)}. */
    public TimelinePlot() {
        this(Graphics2D::drawString);
    }

    /** A plot drawing text through {@code painter} (tests inject one that fails). */
    public TimelinePlot(TextPainter painter) {
        this.painter = painter;
    }

    /** Problems met while drawing (text left out). */
    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    /**
     * Draws the run and writes it to {@code file} as PNG.
     *
     * @param originT time shown as 0 s
     * @param endT    the end of the run (also closes open fault windows)
     * @throws IOException when the file cannot be written
     */
    public void write(Path file, String title, List<ClientOp> ops, ChaosEvents events, long originT, long endT)
            throws IOException {
        BufferedImage img = draw(title, ops, events, originT, endT);
        if (!ImageIO.write(img, "png", file.toFile())) {
            throw new IOException("no PNG writer in this JVM");
        }
    }

    /** Draws the run into a {@link #WIDTH} x {@link #HEIGHT} image. */
    public BufferedImage draw(String title, List<ClientOp> ops, ChaosEvents events, long originT, long endT) {
        this.originT = originT;
        this.endT = Math.max(endT, originT + SECOND_NS);
        BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            g.setColor(Color.BLACK);
            text(title, LEFT, 22, 15);
            int y = drawFaultBands(events.faults(), 40);
            y = drawLeaders(events.leaders(), y + 6);
            y = drawMarks(ops, Outcome.UNKNOWN, "unknown", new Color(0xff7f0e), y + 6);
            y = drawMarks(ops, Outcome.FAIL, "fail", new Color(0xd62728), y + 2);
            drawThroughput(ops, y + 14, HEIGHT - 60);
            drawPhases(events);
            drawLegend(events.leaders(), HEIGHT - 14);
        } finally {
            g.dispose();
        }
        return img;
    }

    private int drawFaultBands(List<FaultWindow> faults, int top) {
        List<String> kinds = new ArrayList<>(new TreeSet<>(faults.stream().map(FaultWindow::kind).toList()));
        if (kinds.isEmpty()) {
            g.setColor(Color.GRAY);
            text("no faults", 10, top + ROW_HEIGHT - 3, 11);
            return top + ROW_HEIGHT;
        }
        int y = top;
        for (int i = 0; i < kinds.size(); i++) {
            String kind = kinds.get(i);
            Color c = PALETTE[i % PALETTE.length];
            g.setColor(new Color(0xf2f2f2));
            g.fillRect(LEFT, y, plotWidth(), ROW_HEIGHT);
            g.setColor(c);
            g.fillRect(10, y + 2, 10, ROW_HEIGHT - 4);
            text(kind, 26, y + ROW_HEIGHT - 3, 11);
            for (FaultWindow w : faults) {
                if (w.kind().equals(kind)) {
                    int x0 = x(w.startT());
                    int x1 = Math.max(x0 + 2, x(w.endOr(endT)));
                    g.setColor(c);
                    g.fillRect(x0, y + 1, x1 - x0, ROW_HEIGHT - 2);
                }
            }
            y += ROW_HEIGHT + ROW_GAP;
        }
        return y;
    }

    private int drawLeaders(List<LeaderSeen> leaders, int top) {
        int h = ROW_HEIGHT + 4;
        g.setColor(Color.BLACK);
        text("leader", 10, top + h - 5, 11);
        g.setColor(new Color(0xf2f2f2));
        g.fillRect(LEFT, top, plotWidth(), h);
        List<String> names = leaderNames(leaders);
        for (int i = 0; i < leaders.size(); i++) {
            LeaderSeen l = leaders.get(i);
            long until = i + 1 < leaders.size() ? leaders.get(i + 1).t() : endT;
            int x0 = x(l.t());
            int x1 = Math.max(x0 + 1, x(until));
            if (l.leader() != null) {
                g.setColor(leaderColor(names, l.leader()));
                g.fillRect(x0, top, x1 - x0, h);
                String label = l.leader() + (l.term() >= 0 ? " t" + l.term() : "");
                if (textWorks && textWidth(label) + 4 < x1 - x0) {
                    g.setColor(Color.WHITE);
                    text(label, x0 + 2, top + h - 5, 10);
                }
            }
            boolean changed = i > 0 && !sameLeader(leaders.get(i - 1), l);
            if (changed) {
                g.setColor(Color.BLACK);
                g.drawLine(x0, top - 3, x0, top + h + 2);
            }
        }
        return top + h;
    }

    private static boolean sameLeader(LeaderSeen a, LeaderSeen b) {
        return java.util.Objects.equals(a.leader(), b.leader()) && a.term() == b.term();
    }

    private int drawMarks(List<ClientOp> ops, Outcome outcome, String label, Color c, int top) {
        int h = 10;
        g.setColor(Color.BLACK);
        text(label, 10, top + h - 1, 10);
        g.setColor(c);
        for (ClientOp op : ops) {
            if (op.outcome() == outcome && op.completeT() != Operation.NEVER) {
                int x = x(op.completeT());
                g.drawLine(x, top + 1, x, top + h - 1);
            }
        }
        return top + h;
    }

    private void drawThroughput(List<ClientOp> ops, int top, int bottom) {
        int buckets = (int) ((endT - originT + SECOND_NS - 1) / SECOND_NS);
        int[] perSecond = new int[Math.max(1, buckets)];
        for (ClientOp op : ops) {
            if (op.outcome() == Outcome.OK && !op.isFinal() && op.completeT() >= originT && op.completeT() <= endT) {
                perSecond[(int) Math.min(perSecond.length - 1, (op.completeT() - originT) / SECOND_NS)]++;
            }
        }
        int max = 1;
        for (int n : perSecond) {
            max = Math.max(max, n);
        }
        double yStep = niceStep(max, 5);
        double yMax = Math.ceil(max / yStep) * yStep;
        for (double v = 0; v <= yMax + 1e-9; v += yStep) {
            int y = bottom - (int) Math.round(v / yMax * (bottom - top));
            g.setColor(new Color(0xe0e0e0));
            g.drawLine(LEFT + 1, y, LEFT + plotWidth() - 1, y);
            g.setColor(Color.BLACK);
            g.drawLine(LEFT - 4, y, LEFT, y);
            text(format(v), LEFT - 8 - textWidth(format(v)), y + 4, 10);
        }
        text("ok/s", 10, (top + bottom) / 2, 11);
        g.setColor(new Color(0x1f77b4));
        g.setStroke(new BasicStroke(1.5f));
        int px = -1;
        int py = -1;
        for (int i = 0; i < perSecond.length; i++) {
            int x = x(originT + i * SECOND_NS + SECOND_NS / 2);
            int y = bottom - (int) Math.round(perSecond[i] / yMax * (bottom - top));
            if (px >= 0) {
                g.drawLine(px, py, x, y);
            }
            px = x;
            py = y;
        }
        g.setStroke(new BasicStroke(1f));
        g.setColor(Color.BLACK);
        g.drawRect(LEFT, top, plotWidth(), bottom - top);
        drawTimeAxis(bottom);
    }

    private void drawTimeAxis(int y) {
        double seconds = (endT - originT) / 1e9;
        double step = niceStep(seconds, 12);
        g.setColor(Color.BLACK);
        for (double s = 0; s <= seconds + 1e-9; s += step) {
            int x = x(originT + (long) (s * 1e9));
            g.drawLine(x, y, x, y + 4);
            String label = format(s);
            text(label, x - textWidth(label) / 2f, y + 16, 10);
        }
        text("seconds since start", LEFT + plotWidth() / 2f - 50, y + 30, 11);
    }

    private void drawPhases(ChaosEvents events) {
        g.setColor(new Color(0x555555));
        g.setStroke(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {4f, 4f}, 0f));
        for (ChaosEvents.Phase p : events.phases()) {
            if (p.t() < originT || p.t() > endT) {
                continue;
            }
            int x = x(p.t());
            g.drawLine(x, 32, x, HEIGHT - 60);
            int w = textWidth(p.detail());
            text(p.detail(), x + 3 + w > WIDTH - 2 ? x - 3 - w : x + 3, 36, 10);
        }
        g.setStroke(new BasicStroke(1f));
    }

    private void drawLegend(List<LeaderSeen> leaders, int y) {
        float x = LEFT;
        g.setColor(new Color(0x1f77b4));
        g.fillRect((int) x, y - 8, 14, 3);
        g.setColor(Color.BLACK);
        text("ok completions per second", x + 18, y, 10);
        x += 180;
        List<String> names = leaderNames(leaders);
        for (String name : names) {
            g.setColor(leaderColor(names, name));
            g.fillRect((int) x, y - 9, 10, 10);
            g.setColor(Color.BLACK);
            text("leader " + name, x + 14, y, 10);
            x += 100;
        }
    }

    private static List<String> leaderNames(List<LeaderSeen> leaders) {
        return new ArrayList<>(new TreeSet<>(leaders.stream().map(LeaderSeen::leader)
                .filter(java.util.Objects::nonNull).toList()));
    }

    private static Color leaderColor(List<String> names, String name) {
        int i = names.indexOf(name);
        return PALETTE[(PALETTE.length - 1 - Math.max(0, i) % PALETTE.length)];
    }

    private int plotWidth() {
        return WIDTH - LEFT - RIGHT;
    }

    private int x(long t) {
        double f = (double) (Math.max(originT, Math.min(endT, t)) - originT) / (endT - originT);
        return LEFT + (int) Math.round(f * plotWidth());
    }

    /** A step of 1, 2 or 5 times a power of ten giving at most about {@code ticks} ticks up to {@code range}. */
    static double niceStep(double range, int ticks) {
        double raw = Math.max(range, 1e-9) / ticks;
        double pow = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * pow >= raw) {
                return m * pow;
            }
        }
        return 10 * pow;
    }

    private static String format(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v);
    }

    private void text(String s, float x, float y, int size) {
        if (!textWorks) {
            return;
        }
        try {
            g.setFont(g.getFont().deriveFont((float) size));
            painter.draw(g, s, x, y);
        } catch (RuntimeException | Error e) { // font machinery missing: headless without fonts
            textFailed(e);
        }
    }

    private int textWidth(String s) {
        if (!textWorks) {
            return 0;
        }
        try {
            return g.getFontMetrics().stringWidth(s);
        } catch (RuntimeException | Error e) {
            textFailed(e);
            return 0;
        }
    }

    private void textFailed(Throwable e) {
        if (e instanceof VirtualMachineError && !(e instanceof InternalError)) {
            throw (VirtualMachineError) e; // out of memory or stack: not a font problem
        }
        textWorks = false;
        warnings.add("timeline: cannot draw text (" + e + "); the PNG has no labels");
    }
}
