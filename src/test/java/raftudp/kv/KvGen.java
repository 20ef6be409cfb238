package raftudp.kv;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/** Seeded generators of values, commands, results and entries for the kv tests. */
final class KvGen {
    private static final String[] PIECES = {"", "a", "k", "0", " ", "é", "ß", "€", "中", "😀", "\u0000", "\uFEFF", "key"};
    private static final long[] INTS = {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, 255, 256, 65535};

    private final Random random;

    KvGen(long seed) {
        this.random = new Random(seed);
    }

    Random random() {
        return random;
    }

    String string(int piecesMax) {
        StringBuilder sb = new StringBuilder();
        int n = random.nextInt(piecesMax + 1);
        for (int i = 0; i < n; i++) {
            sb.append(PIECES[random.nextInt(PIECES.length)]);
        }
        return sb.toString();
    }

    String key() {
        String k = string(4);
        return k.isEmpty() ? "k" + random.nextInt(10) : k;
    }

    Value scalar() {
        switch (random.nextInt(3)) {
            case 0:
                return new Value.Int(random.nextBoolean() ? INTS[random.nextInt(INTS.length)] : random.nextLong());
            case 1:
                return new Value.Str(string(6));
            default:
                byte[] b = new byte[random.nextInt(12)];
                random.nextBytes(b);
                return new Value.Bytes(b);
        }
    }

    Value value() {
        if (random.nextInt(4) > 0) {
            return scalar();
        }
        List<Value> items = new ArrayList<>();
        int n = random.nextInt(5);
        for (int i = 0; i < n; i++) {
            items.add(scalar());
        }
        return new Value.ListValue(items);
    }

    Value valueOrNull() {
        return random.nextInt(3) == 0 ? null : value();
    }

    Command command() {
        String key = key();
        switch (random.nextInt(5)) {
            case 0:
                return new Command.Put(key, scalar());
            case 1:
                return new Command.Get(key);
            case 2:
                return new Command.Delete(key);
            case 3:
                return new Command.Cas(key, valueOrNull(), scalar());
            default:
                return new Command.Append(key, scalar());
        }
    }

    Result result() {
        switch (random.nextInt(7)) {
            case 0:
                return new Result.Ok(valueOrNull());
            case 1:
                return new Result.Found(value());
            case 2:
                return new Result.NotFound();
            case 3:
                return new Result.CasFailed(valueOrNull());
            case 4:
                return new Result.Appended(random.nextBoolean() ? random.nextInt(10) : random.nextLong() & Long.MAX_VALUE);
            case 5:
                return new Result.WrongType();
            default:
                return new Result.SessionExpired();
        }
    }

    KvEntry entry() {
        long clientId = random.nextBoolean() ? 0 : random.nextLong();
        long seq = clientId == 0 ? random.nextInt(3) : 1 + (random.nextLong() & 0xFFFF);
        return new KvEntry(clientId, seq, random.nextLong() & Long.MAX_VALUE, command());
    }

    static String hex(byte[] data) {
        return HexFormat.of().formatHex(data);
    }

    static byte[] unhex(String hex) {
        return HexFormat.of().parseHex(hex.replace(" ", ""));
    }
}
