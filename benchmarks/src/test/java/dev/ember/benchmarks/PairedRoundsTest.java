package dev.ember.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.runtime.Devices;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The command protocol that step_vs_numpy.py drives: one answer line per command, errors included. */
class PairedRoundsTest {
    private static String[] serve(String commands) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PairedRounds.serve(Devices.get("cpu"), new BufferedReader(new StringReader(commands)),
                new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8).split("\n");
    }

    @Test
    void timesProductsAndStepsAndAnswersBadCommandsWithoutStopping() throws Exception {
        String[] out = serve("""
                gemm NN 7 33 127 2
                gemm TN 33 7 1 1

                step 13-7-3@5 2
                nnstep 13-7-3@5 2
                gemm XY 7 7 7 1
                gemm NN 7 7 7 0
                gemm NN 7 7
                conv 3
                gemm NT 1 1000 33 1
                """);
        assertEquals(9, out.length, String.join(" | ", out));
        for (int i : new int[] {0, 1, 2, 3, 8}) {
            double s = Double.parseDouble(out[i]);
            assertTrue(s > 0 && s < 60, "seconds per repetition: " + out[i]);
        }
        assertEquals("error: transpose flags must be NN, NT, TN or TT, got XY", out[4]);
        assertEquals("error: reps must be at least 1, got 0", out[5]);
        assertEquals("error: usage: gemm NN|NT|TN|TT m n k reps", out[6]);
        assertEquals("error: unknown command 'conv' (gemm, step or nnstep)", out[7]);
    }
}
