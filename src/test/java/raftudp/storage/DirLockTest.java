package raftudp.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One storage per data directory: in this JVM and across processes. */
class DirLockTest {
    @TempDir
    Path dir;

    @Test
    void when_openTwiceInOneJvm_then_theSecondIsRefusedNamingTheDirAndPid() {
        try (FileStorage first = FileStorage.open(FileStorageOptions.defaults(dir))) {
            StorageException e = assertThrows(StorageException.class,
                    () -> FileStorage.open(FileStorageOptions.defaults(dir)));
            assertTrue(e.getMessage().contains(dir.getFileName().toString()), e.getMessage());
            assertTrue(e.getMessage().contains("pid " + ProcessHandle.current().pid()), e.getMessage());
            first.append(Fixtures.entries(1, 1, 1)); // the first one still works
            first.sync();
        }
        try (FileStorage again = FileStorage.open(FileStorageOptions.defaults(dir))) {
            assertEquals(1, again.load().entries().size());
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void when_anotherProcessHoldsTheDir_then_openIsRefusedNamingItsPid() {
        Path data = dir.resolve("node-0");
        try (ChildProcess child = new ChildProcess(dir.resolve("stderr.txt"), "hold", data.toString())) {
            String line = child.readLine();
            assertTrue(line != null && line.startsWith("locked "), "child said " + line + "; " + child.stderr());
            StorageException e = assertThrows(StorageException.class,
                    () -> FileStorage.open(FileStorageOptions.defaults(data)));
            assertTrue(e.getMessage().contains("another process"), e.getMessage());
            assertTrue(e.getMessage().contains("pid " + child.pid()), e.getMessage());
            assertTrue(e.getMessage().contains("node-0"), e.getMessage());
            child.closeStdin();
            assertEquals(0, child.waitFor(), child.stderr());
        }
        try (FileStorage s = FileStorage.open(FileStorageOptions.defaults(data))) {
            assertEquals(RaftStorage.Recovered.empty(), s.load());
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void when_theHolderIsKilled_then_theDirCanBeOpened() {
        Path data = dir.resolve("node-1");
        try (ChildProcess child = new ChildProcess(dir.resolve("stderr.txt"), "hold", data.toString())) {
            assertTrue(String.valueOf(child.readLine()).startsWith("locked"), child.stderr());
            child.kill();
        }
        try (FileStorage s = FileStorage.open(FileStorageOptions.defaults(data))) {
            assertEquals(RaftStorage.Recovered.empty(), s.load());
        }
    }
}
