package raftudp.client;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import raftudp.kv.Value;

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
            description = "Print the value under KEY (a linearizable read through the leader).")
    static final class Get implements Callable<Integer> {
        @ParentCommand
        ClientMain parent;
        @Spec
        CommandSpec spec;
        @Parameters(index = "0", paramLabel = "KEY")
        String key;

        @Override
        public Integer call() {
            return run(parent, spec, new raftudp.kv.Command.Get(ClientMain.key(spec, key, "KEY")));
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
