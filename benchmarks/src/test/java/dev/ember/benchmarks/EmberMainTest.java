package dev.ember.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;

class EmberMainTest {
    private static String capture(boolean stderr, Runnable r) {
        PrintStream old = stderr ? System.err : System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        if (stderr) {
            System.setErr(new PrintStream(buf));
        } else {
            System.setOut(new PrintStream(buf));
        }
        try {
            r.run();
        } finally {
            if (stderr) {
                System.setErr(old);
            } else {
                System.setOut(old);
            }
        }
        return buf.toString();
    }

    @Test
    void routesBenchAndResultsAndPropagatesExitCodes() {
        int[] rc = new int[1];
        capture(true, () -> rc[0] = EmberMain.run(new String[] {"bench", "--bogus"}));
        assertEquals(2, rc[0]);
        capture(true, () -> rc[0] = EmberMain.run(new String[] {"results"}));
        assertEquals(2, rc[0]);
    }

    @Test
    void tuneRefusesBadArgumentsInOneLine() {
        int[] rc = new int[1];
        for (String[] args : new String[][] {{"tune", "--size", "abc"}, {"tune", "--size", "-3"}, {"tune", "--size"},
            {"tune", "--sizes", "64"}}) {
            String err = capture(true, () -> rc[0] = EmberMain.run(args));
            assertEquals(2, rc[0], String.join(" ", args));
            assertEquals(1, err.strip().lines().count(), err);
            assertTrue(err.startsWith("ember tune: ") && !err.contains("Exception"), err);
        }
        String err = capture(true, () -> rc[0] = EmberMain.run(new String[] {"tune", "--size", "16", "opencl:97"}));
        assertEquals(1, rc[0]);
        assertTrue(err.contains("no OpenCL device tuned") && err.contains("opencl:97"), err);
    }

    @Test
    void tuneTakesHelp() {
        int[] rc = new int[1];
        for (String help : new String[] {"--help", "-h"}) {
            String out = capture(false, () -> rc[0] = EmberMain.run(new String[] {"tune", help}));
            assertEquals(0, rc[0], help);
            assertTrue(out.startsWith("usage: ember tune [--size N] [opencl:i ..]"), out);
        }
    }

    /** "ember help bench", as git's: the command's own help, as "bench --help" prints it. */
    @Test
    void helpWithACommandIsThatCommandsHelp() {
        int[] rc = {-1};
        // every command of the nn command line is handed over (EmberMain lists them without linking Cli)
        java.util.List<String> all = new java.util.ArrayList<>(java.util.List.of("bench", "results", "tune"));
        all.addAll(new java.util.TreeSet<>(dev.ember.nn.cli.Cli.COMMANDS));
        for (String c : all) {
            String out = capture(false, () -> rc[0] = EmberMain.run(new String[] {"help", c}));
            assertEquals(0, rc[0], c);
            assertEquals(capture(false, () -> EmberMain.run(new String[] {c, "--help"})), out, c);
            assertTrue(out.contains(c), out);
        }
        String out = capture(false, () -> rc[0] = EmberMain.run(new String[] {"help", "test"}));
        assertEquals(0, rc[0]);
        assertTrue(out.startsWith("ember test: runs the whole test suite"), out);
        String err = capture(true, () -> rc[0] = EmberMain.run(new String[] {"help", "frob"}));
        assertEquals(2, rc[0]);
        assertTrue(err.contains("unknown command 'frob'"), err);
        // every command is named, not only the nn command line's
        err = capture(true, () -> rc[0] = EmberMain.run(new String[] {"frob", "--epochs", "1"}));
        assertEquals(2, rc[0]);
        assertEquals("ember: unknown command 'frob' (expected devices, train, evaluate, predict, bench, results,"
                + " tune, test or gpu-bundle; try 'ember help')", err.strip());
    }

    @Test
    void helpStartsWithTheUsageLine() {
        int[] rc = new int[1];
        String out = capture(false, () -> rc[0] = EmberMain.run(new String[] {"help"}));
        assertEquals(0, rc[0]);
        assertTrue(out.startsWith("usage: ember"), out);
        assertTrue(out.contains("\n  bench [--quick") && out.contains("\n  tune [--size N]"), out);
        assertTrue(out.contains("\n  results DIR [--file PATH]"), out);
        // a short overview: one line per command (each command's --help has its flags)
        for (String line : out.split("\n")) {
            assertTrue(line.length() <= 100 && !line.startsWith("   "), "one line per command, short: " + line);
        }
    }

    @Test
    void withoutArgumentsTheOverviewIsOnStderr() {
        int[] rc = new int[1];
        String[] out = new String[1];
        String err = capture(true, () -> out[0] = capture(false, () -> rc[0] = EmberMain.run(new String[0])));
        assertEquals(2, rc[0]);
        assertEquals("", out[0]);
        assertTrue(err.contains("\n  bench [--quick"), err);
    }

    @Test
    void withoutTheNnCliDevicesStillWorksAndOtherCommandsFailInOneLine() throws Exception {
        boolean cliPresent;
        try {
            Class.forName(EmberMain.CLI);
            cliPresent = true;
        } catch (ClassNotFoundException e) {
            cliPresent = false;
        }
        org.junit.jupiter.api.Assumptions.assumeFalse(cliPresent, "nn command line present: delegation applies");
        int[] rc = new int[1];
        String out = capture(false, () -> rc[0] = EmberMain.run(new String[] {"devices"}));
        assertEquals(0, rc[0]);
        assertTrue(out.startsWith("cpu"), out);
        String err = capture(true, () -> rc[0] = EmberMain.run(new String[] {"train", "--epochs", "1"}));
        assertEquals(2, rc[0]);
        assertEquals(1, err.strip().lines().count(), err);
        assertTrue(err.contains("'train'") && err.contains(EmberMain.CLI), err);
    }
}
