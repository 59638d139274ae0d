package dev.ember.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchArgsTest {
    private static String error(String... args) {
        return assertThrows(IllegalArgumentException.class, () -> BenchArgs.parse(args)).getMessage();
    }

    @Test
    void defaultsToQuickOnEveryDevice() {
        BenchArgs a = BenchArgs.parse(new String[0]);
        assertFalse(a.full());
        assertNull(a.devices());
        assertNull(a.ops());
        assertNull(a.sizes());
        assertNull(a.out());
        assertFalse(a.json());
    }

    @Test
    void parsesEveryOptionInBothSpellings() {
        BenchArgs a = BenchArgs.parse(new String[] {"--full", "--devices", "cpu,opencl:0", "--ops=gemm,adam",
            "--sizes", "1M, 4M", "--out", "/tmp/x", "--json"});
        assertTrue(a.full());
        assertEquals(List.of("cpu", "opencl:0"), a.devices());
        assertEquals(List.of("gemm", "adam"), a.ops());
        assertEquals(List.of("1M", "4M"), a.sizes());
        assertEquals(Path.of("/tmp/x"), a.out());
        assertTrue(a.json());
        assertTrue(BenchArgs.parse(new String[] {"--help"}).help());
    }

    /** A repeated entry would be measured twice by JMH: it is dropped, the first keeping its place. */
    @Test
    void repeatedEntriesAreDroppedInTheGivenOrder() {
        BenchArgs a = BenchArgs.parse(new String[] {"--sizes", "4M,1M,4M", "--sizes=1M, 256K", "--devices",
            "opencl:0,cpu,opencl:0", "--ops", "relu,adam,relu"});
        assertEquals(List.of("4M", "1M", "256K"), a.sizes());
        assertEquals(List.of("opencl:0", "cpu"), a.devices());
        assertEquals(List.of("relu", "adam"), a.ops());
    }

    @Test
    void rejectsBadArgumentsWithTheirName() {
        assertTrue(error("--fast").contains("'--fast'"));
        assertTrue(error("--ops").contains("--ops needs a value"));
        assertTrue(error("--ops", "--json").contains("--ops needs a value"));
        assertTrue(error("--quick", "--full").contains("exclude"));
        assertTrue(error("--json=yes").contains("--json takes no value"));
        String op = error("--ops", "adam,fft");
        assertTrue(op.contains("'fft'") && op.contains("gemm") && op.contains("optimizers"), op);
        assertTrue(error("--sizes", "1M,big").contains("'big'"));
        assertTrue(error("--devices", "cpu,,cuda").contains("empty entry"));
        assertTrue(error("--out=").contains("--out"));
    }

    @Test
    void usageListsOpsAndGroups() {
        String u = BenchArgs.usage();
        assertTrue(u.contains("train_step") && u.contains("activations") && u.contains("--devices"));
        for (String line : u.split("\n")) {
            assertTrue(line.length() <= 100, line.length() + " columns: " + line);
        }
        // every op and group, once each, wherever the lines break
        String listed = u.replaceAll(",\\n *", ",");
        for (OpSpec op : Suite.all()) {
            assertTrue(listed.contains(op.name() + ",") || listed.contains(op.name() + "\n"), op.name());
        }
        for (String group : Suite.groups().keySet()) {
            assertTrue(listed.contains(group), group);
        }
    }
}
