package raftudp.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import raftudp.check.ChaosCheckFixtures.History;
import raftudp.check.ChaosHistory.ClientOp;

/** {@link TimelinePlot} writes a readable PNG of the expected size, with or without working fonts. */
class ChaosCheckTimelineTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true");
    }

    private List<ClientOp> ops() {
        History h = new History();
        for (int i = 1; i <= 40; i++) {
            h.append("h1", 1, i, "k", "v" + i, i * 100L, i * 100L + 50, i);
        }
        h.append("h2", 1, 1, "k", "u", 1000, 1500, "unknown", "\"error\":\"timeout\"");
        h.append("h2", 1, 2, "k", "f", 1600, 1700, "fail", "\"error\":\"no leader\"");
        return h.ops(dir);
    }

    private ChaosEvents events() {
        List<String> lines = new ArrayList<>();
        lines.add(ChaosCheckFixtures.phase(0, "start"));
        lines.addAll(ChaosCheckFixtures.fault(1, "kill", 1000, 1800));
        lines.addAll(ChaosCheckFixtures.fault(2, "partition-leader", 2500, 3000));
        lines.add(ChaosCheckFixtures.leader(10, "h1", 1));
        lines.add(ChaosCheckFixtures.leader(1200, "h2", 2));
        lines.add(ChaosCheckFixtures.phase(3500, "heal"));
        return ChaosEvents.read(ChaosCheckFixtures.writeLines(dir.resolve("e.jsonl"), lines), new ArrayList<>());
    }

    @Test
    void when_written_then_thePngReadsBackAtTheExpectedSize() throws Exception {
        Path png = dir.resolve("timeline.png");
        TimelinePlot plot = new TimelinePlot();
        plot.write(png, "raftudp chaos: seed 7, verdict PASS", ops(), events(), 0, 4200 * ChaosCheckFixtures.MS);
        BufferedImage img = ImageIO.read(png.toFile());
        assertNotNull(img);
        assertEquals(TimelinePlot.WIDTH, img.getWidth());
        assertEquals(TimelinePlot.HEIGHT, img.getHeight());
        assertTrue(colours(img) > 5, "bands, leaders and the throughput line are drawn in colour");
    }

    private static int colours(BufferedImage img) {
        Set<Integer> seen = new HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 3) {
            for (int x = 0; x < img.getWidth(); x += 3) {
                seen.add(img.getRGB(x, y) & 0xFFFFFF);
            }
        }
        return seen.size();
    }

    @Test
    void when_textCannotBeDrawn_then_thePngIsStillWrittenAndAWarningSaysSo() throws Exception {
        Path png = dir.resolve("nofonts.png");
        TimelinePlot plot = new TimelinePlot((g, text, x, y) -> {
            throw new InternalError("no fonts");
        });
        plot.write(png, "title", ops(), events(), 0, 4200 * ChaosCheckFixtures.MS);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(TimelinePlot.WIDTH, img.getWidth());
        assertEquals(1, plot.warnings().size());
        assertTrue(plot.warnings().get(0).contains("no fonts"));
    }

    @Test
    void when_thereAreNoOperationsOrEvents_then_thePlotIsStillDrawn() {
        TimelinePlot plot = new TimelinePlot();
        BufferedImage img = plot.draw("empty", List.of(), ChaosEvents.empty(), 0, 0);
        assertEquals(TimelinePlot.HEIGHT, img.getHeight());
        assertFalse(plot.warnings().stream().anyMatch(w -> !w.contains("text")));
    }

    @Test
    void when_niceStepIsAsked_then_itIsOneTwoOrFiveTimesAPowerOfTen() {
        assertEquals(1.0, TimelinePlot.niceStep(10, 10), 1e-12);
        assertEquals(20.0, TimelinePlot.niceStep(150, 10), 1e-12);
        assertEquals(50.0, TimelinePlot.niceStep(420, 10), 1e-12);
    }
}
