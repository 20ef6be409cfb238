package raftudp.client;

import picocli.CommandLine;
import raftudp.transport.TransportException;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;

/** Runs {@code raft-client} in-process with given transports and captures its output. */
final class Cli {
    /** What a run printed and returned. */
    record Run(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** A factory for runs that must fail before any transport is made. */
    static final ClientMain.TransportFactory NO_NETWORK = (src, raw, iface) -> {
        throw new AssertionError("a transport was created for arguments that should have been refused");
    };

    private Cli() {
    }

    static Run run(ClientMain.TransportFactory transports, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = ClientMain.commandLine(new ClientMain(transports));
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    /** Transports on the cluster's memory network; the client's host is -s or 127.0.0.100. */
    static ClientMain.TransportFactory on(FakeCluster cluster) {
        return (src, raw, iface) -> {
            try {
                return cluster.network.transport(src != null ? src : InetAddress.getByName("127.0.0.100"));
            } catch (java.net.UnknownHostException e) {
                throw new TransportException("bad host", e);
            }
        };
    }
}
