package dev.ember.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchCommandTest {
    @Test
    void usageErrorsReturnTwoWithTheMessageAndUsage() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = BenchCommand.run(new String[] {"--ops", "nope"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err));
        assertEquals(2, rc);
        assertTrue(err.toString().startsWith("ember bench: unknown op 'nope'"), err.toString());
        assertTrue(err.toString().contains("usage: ember bench"));
    }

    @Test
    void helpReturnsZero() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, BenchCommand.run(new String[] {"--help"}, new PrintStream(out), System.err));
        assertTrue(out.toString().contains("--quick"));
    }

    @Test
    void quickIterationsShrinkWithMoreConfigsWithinBounds() {
        long few = BenchCommand.quickIterationMs(150, 10, 2);
        long many = BenchCommand.quickIterationMs(150, 40, 2);
        assertEquals(400, few);
        assertTrue(many < few && many >= 50, "many configs: " + many);
        assertEquals(50, BenchCommand.quickIterationMs(10, 40, 2)); // over budget: shortest iterations
        // 1 s per config: 2 warm-up iterations of at least 200 ms leave 600 ms for 3 measured ones.
        assertEquals(200, BenchCommand.quickIterationMs(60, 30, 1));
        // 0.7 s per config: the warm-up floor takes 400 ms, the 3 measured iterations share the rest.
        assertEquals(100, BenchCommand.quickIterationMs(42, 30, 0.7));
        assertEquals(200, BenchCommand.warmupMs(false, 50));
        assertEquals(300, BenchCommand.warmupMs(false, 300));
        assertEquals(1000, BenchCommand.warmupMs(true, 1000));
    }

    @Test
    void mergesJmhArrays() {
        String merged = BenchCommand.mergeArrays(List.of("[\n{\"a\":1}\n]", "[ ]", "[{\"b\":2},{\"c\":3}]"));
        assertEquals(3, Json.array(Json.parse(merged), "merged").size());
        assertThrows(IllegalArgumentException.class, () -> BenchCommand.mergeArrays(List.of("{}")));
    }

    @Test
    void forkedJvmsGetRuntimeFlagsAndEmberProperties() {
        System.setProperty("ember.test.flag", "x y");
        try {
            List<String> args = List.of(BenchCommand.forkJvmArgs());
            assertTrue(args.containsAll(List.of("--add-modules", "jdk.incubator.vector",
                    "--enable-native-access=ALL-UNNAMED", "-Dember.test.flag=x y")), args.toString());
        } finally {
            System.clearProperty("ember.test.flag");
        }
    }
}
