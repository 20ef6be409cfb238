package raftudp.client;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** raft-client get: how values are shown or saved, and the exit code of a missing key. */
@Timeout(60)
class GetCommandTest {
    private static final String PEERS = "127.0.0.1:9991,127.0.0.2:9991,127.0.0.3:9991";
    private FakeCluster cluster;

    @BeforeEach
    void setUp() throws Exception {
        cluster = new FakeCluster(3, 0);
    }

    @AfterEach
    void tearDown() {
        cluster.close();
    }

    private Cli.Run run(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--peers";
        all[1] = PEERS;
        System.arraycopy(args, 0, all, 2, args.length);
        return Cli.run(Cli.on(cluster), all);
    }

    private void put(String key, String value) {
        assertEquals(0, run("put", key, value).code());
    }

    @Test
    void aMissingKeyExitsWithItsOwnCode_andAnOutFileIsNotCreated(@TempDir Path dir) {
        Cli.Run r = run("get", "nothing");
        assertEquals(ClientMain.EXIT_NOT_FOUND, r.code(), r.toString());
        assertEquals(6, r.code(), "the documented number");
        assertEquals("nothing: not found\n", r.out());
        Path f = dir.resolve("v.bin");
        assertEquals(6, run("get", "nothing", "--out", f.toString()).code());
        assertFalse(Files.exists(f));
    }

    @Test
    void outWritesExactlyTheBytesOfTheValue(@TempDir Path dir) throws Exception {
        byte[] bytes = new byte[1000];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 7);
        }
        Path in = dir.resolve("in.bin");
        Files.write(in, bytes);
        put("blob", "@" + in);
        Path out = dir.resolve("out.bin");
        Files.write(out, new byte[5000]); // a longer file is replaced, not overwritten in part
        Cli.Run r = run("get", "blob", "--out", out.toString());
        assertEquals(0, r.code(), r.toString());
        assertEquals("OK: wrote 1000 bytes of blob to " + out + "\n", r.out());
        assertArrayEquals(bytes, Files.readAllBytes(out));

        put("s", "héllo");
        assertEquals(0, run("get", "s", "--out", out.toString()).code());
        assertArrayEquals("héllo".getBytes(java.nio.charset.StandardCharsets.UTF_8), Files.readAllBytes(out));
    }

    @Test
    void outRefusesAnIntegerAndReportsAnUnwritableFile(@TempDir Path dir) {
        put("n", "42");
        Cli.Run r = run("get", "n", "--out", dir.resolve("n.bin").toString());
        assertEquals(1, r.code(), r.toString());
        assertEquals("raft-client: --out saves bytes or a string, and n holds 42; " + dir.resolve("n.bin")
                + " not written\n", r.err());
        assertFalse(Files.exists(dir.resolve("n.bin")));
        put("b", "0x01");
        Cli.Run io = run("get", "b", "--out", dir.resolve("no/such/dir/b.bin").toString());
        assertEquals(5, io.code(), io.toString());
    }

    @Test
    void hexPrintsEveryByte_andIsTheDefaultForBytesThatAreNotPrintable() {
        put("bin", "0x00ff10");
        assertEquals("bin = 0x00ff10\n", run("get", "bin").out());
        assertEquals("bin = 0x00ff10\n", run("get", "bin", "--hex").out());

        put("text", "hex:" + Texts.hex("say \"hi\"\\".getBytes(), 9));
        assertEquals("text = b\"say \\\"hi\\\"\\\\\"\n", run("get", "text").out(), "printable: shown as text");
        assertEquals("text = 0x73617920226869225c\n", run("get", "text", "--hex").out());

        byte[] big = new byte[300];
        big[299] = (byte) 0xab;
        put("big", "0x" + Texts.hex(big, big.length));
        assertEquals("big = bytes[300] 0x" + "00".repeat(32) + "... (--hex shows all, --out FILE saves them)\n",
                run("get", "big").out());
        assertEquals("big = 0x" + "00".repeat(299) + "ab\n", run("get", "big", "--hex").out());

        assertEquals(0, run("--key", "l", "-da", "hex:6869").code());
        assertEquals(0, run("--key", "l", "-da", "7").code());
        assertEquals("l = [b\"hi\", 7]\n", run("get", "l").out());
        assertEquals("l = [0x6869, 7]\n", run("get", "l", "--hex").out());
    }

    @Test
    void hexAndOutTogetherAreAUsageError() {
        Cli.Run r = Cli.run(Cli.NO_NETWORK, "get", "k", "--hex", "--out", "f");
        assertEquals(2, r.code(), r.toString());
        assertEquals("raft-client: --hex prints the value and --out saves it: give one\n"
                + "Try 'raft-client get --help' for more.\n", r.err());
    }
}
