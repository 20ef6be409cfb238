package raftudp.wire;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reassembly memory scaled to the heap: three chunk-holding decoders fit in a small JVM. */
class WireLimitsTest {
    @ParameterizedTest(name = "heap {0} MiB -> reassembly {1} MiB, message {2} KiB")
    @CsvSource({
        "64,    8,  7168",      // the floor
        "256,   16, 14336",     // -Xmx256m: three ports hold at most 48 MiB
        "1024,  64, 57344",
        "6144,  96, 65536",     // the defaults from about 1.5 GiB of heap on
    })
    void forHeap(long heapMiB, long reassemblyMiB, long messageKiB) {
        WireLimits l = WireLimits.forHeap(heapMiB << 20);
        assertEquals(reassemblyMiB << 20, l.reassemblyBytesMax());
        assertEquals(messageKiB << 10, l.messageBytesMax());
        assertTrue(l.messageBytesMax() < l.reassemblyBytesMax() || l.messageBytesMax() == 64 << 20);
        assertEquals(WireLimits.DEFAULT.datagramBytesMax(), l.datagramBytesMax());
    }
}
