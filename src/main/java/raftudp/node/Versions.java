package raftudp.node;

import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * {@code --version} of the programs: the project version that Maven wrote into
 * {@code raftudp/version.properties}, and the Java runtime.
 */
public final class Versions implements CommandLine.IVersionProvider {

    /** The project version, or "unknown" when run from unfiltered classes. */
    public static String projectVersion() {
        try (InputStream in = Versions.class.getResourceAsStream("/raftudp/version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "unknown");
            return v.startsWith("${") ? "unknown" : v;
        } catch (IOException e) {
            return "unknown";
        }
    }

    @Override
    public String[] getVersion() {
        return new String[]{"${COMMAND-NAME} " + projectVersion(),
                "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"};
    }
}
