package raftudp;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import raftudp.client.ClientMain;
import raftudp.node.NodeMain;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every command's help fits an 80-column terminal, such as a Mininet xterm without
 * {@code COLUMNS}: no line is longer, and no example line is broken by the wrapping.
 */
class HelpWidthTest {
    private static final int COLUMNS = 80;

    /** raft-client, each of its subcommands (theirs too), and raft-node. */
    static Stream<CommandLine> commands() {
        List<CommandLine> all = new ArrayList<>();
        addWithSubcommands(new CommandLine(new ClientMain()), all);
        addWithSubcommands(new CommandLine(new NodeMain()), all);
        return all.stream();
    }

    private static void addWithSubcommands(CommandLine cl, List<CommandLine> into) {
        into.add(cl);
        cl.getSubcommands().values().forEach(sub -> addWithSubcommands(sub, into));
    }

    private static String usage(CommandLine cl, int width) {
        cl.getCommandSpec().usageMessage().autoWidth(false).width(width);
        return cl.getUsageMessage();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("commands")
    void noLineOfTheHelpIsLongerThan80Columns(CommandLine cl) {
        String name = cl.getCommandSpec().qualifiedName();
        for (String line : usage(cl, COLUMNS).split("\n")) {
            assertTrue(line.length() <= COLUMNS, name + " --help has a line of " + line.length() + " columns:\n"
                    + line);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("commands")
    void indentedLinesOfTheDescriptionAndFooter_fit80ColumnsAsWritten(CommandLine cl) {
        String name = cl.getCommandSpec().qualifiedName();
        cl.getCommandSpec().usageMessage().autoWidth(false).width(400);
        CommandLine.Help wide = cl.getHelp();
        for (String line : (wide.description() + wide.footer()).split("\n")) {
            if (line.startsWith("  ")) { // an example or a list item: wrapping would break it mid-command
                assertTrue(line.length() <= COLUMNS, name + ": an indented line of " + line.length()
                        + " columns:\n" + line);
            }
        }
    }
}
