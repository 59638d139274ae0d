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
            {"unknown flag --sead", "train", "--sead", "1"},
            {"unexpected argument 'x' (flags start with --)", "train", "x"}};
        for (String[] c : cases) {
            String[] args = java.util.Arrays.copyOfRange(c, 1, c.length);
            UsageException e = assertThrows(UsageException.class, () -> parse(args).longValue("seed", 0));
            assertEquals(c[0], e.getMessage());
        }
    }
}
