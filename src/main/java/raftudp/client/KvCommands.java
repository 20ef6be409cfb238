package raftudp.client;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import raftudp.kv.Value;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** The key-value subcommands: put, get, delete, cas. */
final class KvCommands {
    private KvCommands() {
    }

    /** Runs one command through the parent's connection and prints its result. */
    private static int run(ClientMain parent, CommandSpec spec, raftudp.kv.Command command) {
        parent.rejectAppendWith(spec);
        return parent.withClient(spec, (client, out) -> Outputs.print(command, client.execute(command), client, out));
    }

    @Command(name = "put", mixinStandardHelpOptions = true, description = "Store VALUE under KEY; prints the previous value.")
    static final class Put implements Callable<Integer> {
        @ParentCommand
        ClientMain parent;
        @Spec
        CommandSpec spec;
        @Parameters(index = "0", paramLabel = "KEY")
        String key;
        @Parameters(index = "1", paramLabel = "VALUE", description = "typed as --type says (see raft-client --help)")
        String value;

        @Override
        public Integer call() {
            String k = ClientMain.key(spec, key, "KEY");
            return run(parent, spec, new raftudp.kv.Command.Put(k, parent.value(spec, value, "VALUE")));
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true,
            description = {"Print the value under KEY (a linearizable read through the leader).",
                    "Bytes print as b\"text\" when every byte is printable ASCII, else as hex (0x...); "
                            + "more than " + Texts.SHOWN_BYTES_MAX + " bytes print as their length and first "
                            + Texts.PREFIX_BYTES + " bytes.",
                    "Exit code " + ClientMain.EXIT_NOT_FOUND + " when KEY is absent."})
    static final class Get implements Callable<Integer> {
        @ParentCommand
        ClientMain parent;
        @Spec
        CommandSpec spec;
        @Parameters(index = "0", paramLabel = "KEY")
        String key;
        @Option(names = "--hex", description = "Print a bytes value in hex, every byte of it.")
        boolean hex;
        @Option(names = "--out", paramLabel = "FILE",
                description = "Save the value in FILE instead of printing it: bytes as they are, a string as UTF-8 "
                        + "(an integer or a list is refused, exit code 1). FILE is left alone when KEY is absent.")
        Path outFile;

        @Override
        public Integer call() {
            raftudp.kv.Command.Get get = new raftudp.kv.Command.Get(ClientMain.key(spec, key, "KEY"));
            if (hex && outFile != null) {
                throw new ParameterException(spec.commandLine(), "--hex prints the value and --out saves it: "
                        + "give one");
            }
            parent.rejectAppendWith(spec);
            PrintWriter err = spec.commandLine().getErr();
            return parent.withClient(spec, (client, out) -> outFile != null
                    ? Outputs.saveGet(get, client.execute(get), outFile, out, err)
                    : Outputs.printGet(get, client.execute(get), hex, out));
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Remove KEY; prints the value it held.")
    static final class Delete implements Callable<Integer> {
        @ParentCommand
        ClientMain parent;
        @Spec
        CommandSpec spec;
        @Parameters(index = "0", paramLabel = "KEY")
        String key;

        @Override
        public Integer call() {
            return run(parent, spec, new raftudp.kv.Command.Delete(ClientMain.key(spec, key, "KEY")));
        }
    }

    @Command(name = "cas", mixinStandardHelpOptions = true,
            description = {"Compare-and-set: store NEW under KEY only if KEY holds OLD.",
                    "OLD '-' means \"KEY is absent\" (write str:- for the string \"-\"). Exit code 1 when KEY "
                            + "holds something else; the current value is printed."})
    static final class Cas implements Callable<Integer> {
        @ParentCommand
        ClientMain parent;
        @Spec
        CommandSpec spec;
        @Parameters(index = "0", paramLabel = "KEY")
        String key;
        @Parameters(index = "1", paramLabel = "OLD")
        String expected;
        @Parameters(index = "2", paramLabel = "NEW")
        String update;

        @Override
        public Integer call() {
            String k = ClientMain.key(spec, key, "KEY");
            Value old = "-".equals(expected) ? null : parent.value(spec, expected, "OLD");
            return run(parent, spec, new raftudp.kv.Command.Cas(k, old, parent.value(spec, update, "NEW")));
        }
    }
}
