package dev.ember.nn.cli;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Flag parsing: both value forms, defaults, switches, and the usage errors naming the flag. */
class ArgsTest {
    private static final Set<String> VALUES = Set.of("seed", "split-seed", "lr", "epochs");
    private static final Set<String> SWITCHES = Set.of("stratify");

    private static Args parse(String... args) {
        return new Args(args, 1, VALUES, SWITCHES);
    }

    @Test
    void valuesTheirDefaultsAndSwitches() {
        Args a = parse("train", "--seed", "-7", "--split-seed=9000000000", "--lr= 0.5 ", "--stratify");
        assertEquals(-7L, a.longValue("seed", 3));
        assertEquals(9_000_000_000L, a.longValue("split-seed", 3));
        assertEquals(0.5f, a.floatValue("lr", 1f));
        assertEquals(42L, a.longValue("epochs", 42), "absent: the default");
        assertEquals(33, a.intValue("epochs", 33));
        assertTrue(a.flag("stratify"));
        assertFalse(parse("train").flag("stratify"));
    }

    @Test
    void mistakesAreUsageErrorsNamingTheFlag() {
        String[][] cases = {
            {"--seed needs a value", "train", "--seed"},
            {"--seed needs an integer, got '1.5'", "train", "--seed", "1.5"},
            {"--stratify takes no value", "train", "--stratify=yes"},
            {"unknown flag --sead (did you mean --seed?)", "train", "--sead", "1"},
            {"unknown flag --frobnicate (--help lists the command's flags)", "train", "--frobnicate"},
            {"unexpected argument 'x' (flags start with --)", "train", "x"},
            {"unexpected argument '32' after --lr 64 (a flag takes one value; a list is one value with commas, e.g."
                + " --layers 64,32)", "train", "--lr", "64", "32"},
            {"unexpected argument '32' after --lr=64 (a flag takes one value; a list is one value with commas, e.g."
                + " --layers 64,32)", "train", "--stratify", "--lr=64", "32"},
            {"unexpected argument 'x' (flags start with --)", "train", "--lr", "1", "--stratify", "x"}};
        for (String[] c : cases) {
            String[] args = java.util.Arrays.copyOfRange(c, 1, c.length);
            UsageException e = assertThrows(UsageException.class, () -> parse(args).longValue("seed", 0));
            assertEquals(c[0], e.getMessage());
        }
    }

    /**
     * An unknown flag one or two edits from a known one is named with it: argparse's underscores
     * (--batch_size), a missing letter (--epoch), a typo; a switch too. Three edits or more is no guess.
     */
    @Test
    void unknownFlagSuggestsTheNearestKnownOne() {
        Set<String> values = Set.of("batch-size", "epochs", "lr", "label-column", "test-fraction");
        Set<String> switches = Set.of("json", "header", "stratify");
        String[][] cases = {{"batch_size", "batch-size"}, {"Batch-Size", "batch-size"}, {"epoch", "epochs"},
            {"lable-column", "label-column"}, {"test_fractoin", "test-fraction"}, {"jsno", "json"},
            {"headers", "header"}, {"stratfy", "stratify"}, {"l", "lr"}};
        for (String[] c : cases) {
            UsageException e = assertThrows(UsageException.class,
                    () -> new Args(new String[] {"--" + c[0], "1"}, 0, values, switches));
            assertEquals("unknown flag --" + c[0] + " (did you mean --" + c[1] + "?)", e.getMessage());
        }
        // short names get one edit only: two would make --bs (batch size), --wd or --log a "--lr"
        for (String far : new String[] {"learning-rate", "verbose", "out", "bs", "wd", "log", "v"}) {
            UsageException e = assertThrows(UsageException.class,
                    () -> new Args(new String[] {"--" + far}, 0, values, switches));
            assertEquals("unknown flag --" + far + " (--help lists the command's flags)", e.getMessage());
        }
        // ... and train's own flags do not turn them into --lr either
        for (String far : new String[] {"bs", "wd", "log"}) {
            assertEquals(" (--help lists the command's flags)", Args.hint(far, Cli.flags("train"), Set.of()));
        }
    }
}
