package raftudp.wire;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;

/**
 * The secret every node and client of one cluster shares, and the MAC it gives datagrams:
 * the first {@link RaftHeader#MAC_BYTES} bytes of HMAC-SHA256(key, header + payload)
 * ({@code docs/wire-format.md} §10). Thread-safe: each thread gets its own
 * {@link Mac} instance.
 *
 * <p>The key is opaque bytes, {@link #BYTES_MIN} to {@link #BYTES_MAX} of them. A key file
 * holds the key as its bytes, with one trailing line ending ignored, so that
 * {@code head -c 32 /dev/urandom | base64 > cluster.key} makes one (the base64 text itself is the key).
 * {@link #toString()} shows only the length and a fingerprint (the first 4 bytes of
 * SHA-256 of the key), never the key: enough to see in two logs whether they hold the same key.
 */
public final class ClusterKey {
    /** Fewest key bytes: 128 bits, as many as the MAC has. */
    public static final int BYTES_MIN = 16;
    /** Most key bytes. */
    public static final int BYTES_MAX = 1024;
    private static final String ALGORITHM = "HmacSHA256";

    private final byte[] key;
    private final String fingerprint;
    private final ThreadLocal<Mac> macs;

    private ClusterKey(byte[] key) {
        this.key = key.clone();
        SecretKeySpec spec = new SecretKeySpec(this.key, ALGORITHM);
        this.macs = ThreadLocal.withInitial(() -> {
            try {
                Mac m = Mac.getInstance(ALGORITHM);
                m.init(spec);
                return m;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("this JDK has no " + ALGORITHM, e); // every JDK has it
            }
        });
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(this.key);
            this.fingerprint = HexFormat.of().formatHex(digest, 0, 4);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no SHA-256", e);
        }
        macs.get(); // fail here, not on the first datagram
    }

    /**
     * A key of these bytes (copied).
     *
     * @throws IllegalArgumentException when there are fewer than {@link #BYTES_MIN} or more than {@link #BYTES_MAX}
     */
    public static ClusterKey of(byte[] key) {
        if (key.length < BYTES_MIN || key.length > BYTES_MAX) {
            throw new IllegalArgumentException("a cluster key is " + BYTES_MIN + ".." + BYTES_MAX + " bytes, this one "
                    + key.length + (key.length < BYTES_MIN ? ": make one with 'head -c 32 /dev/urandom | base64 > "
                    + "cluster.key; chmod 600 cluster.key'" : ""));
        }
        return new ClusterKey(key);
    }

    /**
     * The key in {@code file}: its bytes, without one trailing {@code "\n"} or {@code "\r\n"}.
     *
     * @throws IllegalArgumentException when the file cannot be read or the key has the wrong length; the
     *                                  message names the file and says what is wrong
     */
    public static ClusterKey read(Path file) {
        byte[] bytes;
        try {
            if (Files.size(file) > BYTES_MAX + 2) {
                throw new IllegalArgumentException("cluster key file " + file + ": " + Files.size(file)
                        + " bytes; a cluster key is " + BYTES_MIN + ".." + BYTES_MAX + " bytes");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("cluster key file " + file + " does not exist");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read cluster key file " + file + ": " + e);
        }
        int n = bytes.length;
        if (n >= 1 && bytes[n - 1] == '\n') {
            n -= n >= 2 && bytes[n - 2] == '\r' ? 2 : 1;
        }
        try {
            return of(Arrays.copyOf(bytes, n));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cluster key file " + file + ": " + e.getMessage());
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /**
     * A warning when {@code file} is readable by its group or by others (POSIX permissions);
     * empty when it is not, or when the file system has no POSIX permissions.
     */
    public static Optional<String> permissionWarning(Path file) {
        Set<PosixFilePermission> p;
        try {
            p = Files.getPosixFilePermissions(file);
        } catch (UnsupportedOperationException | IOException e) {
            return Optional.empty();
        }
        if (!p.contains(PosixFilePermission.GROUP_READ) && !p.contains(PosixFilePermission.OTHERS_READ)) {
            return Optional.empty();
        }
        return Optional.of("cluster key file " + file + " is readable by "
                + (p.contains(PosixFilePermission.OTHERS_READ) ? "others" : "its group") + " ("
                + PosixFilePermissions.toString(p) + "): anyone who reads it can forge cluster traffic; "
                + "chmod 600 " + file);
    }

    /** Key bytes. */
    public int length() {
        return key.length;
    }

    /** First 4 bytes of SHA-256 of the key, in hex: tells keys apart without showing them. */
    public String fingerprint() {
        return fingerprint;
    }

    /**
     * The MAC of bytes {@code [0, length)} of {@code datagram} (absolute indexes; neither
     * position nor limit is used or moved): the first {@link RaftHeader#MAC_BYTES} bytes of
     * HMAC-SHA256.
     */
    public byte[] mac(ByteBuffer datagram, int length) {
        Mac m = macs.get();
        m.update(datagram.duplicate().limit(length).position(0));
        return Arrays.copyOf(m.doFinal(), RaftHeader.MAC_BYTES);
    }

    /** The MAC of {@code datagram[0, length)}. */
    public byte[] mac(byte[] datagram, int length) {
        return mac(ByteBuffer.wrap(datagram), length);
    }

    /**
     * True when bytes {@code [length, length + MAC_BYTES)} of {@code datagram} are the MAC of
     * bytes {@code [0, length)}. Compares in constant time.
     */
    public boolean verify(ByteBuffer datagram, int length) {
        byte[] expected = mac(datagram, length);
        byte[] got = new byte[RaftHeader.MAC_BYTES];
        datagram.get(length, got);
        return MessageDigest.isEqual(expected, got);
    }

    /** Same key bytes (compared in constant time). */
    @Override
    public boolean equals(Object o) {
        return o instanceof ClusterKey k && MessageDigest.isEqual(k.key, key);
    }

    @Override
    public int hashCode() {
        return fingerprint.hashCode();
    }

    /** {@code ClusterKey[32 bytes, fingerprint 3f2a91c0]}: never the key. */
    @Override
    public String toString() {
        return "ClusterKey[" + key.length + " bytes, fingerprint " + fingerprint + "]";
    }
}
