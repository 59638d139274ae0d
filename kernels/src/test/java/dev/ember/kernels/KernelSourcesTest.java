package dev.ember.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class KernelSourcesTest {

    @Test
    void everyFamilyLoadsWithHeadersInlinedOnce() {
        for (String f : KernelSources.FAMILIES) {
            String src = KernelSources.load(f);
            assertFalse(src.contains("#include"), f + " still has an #include");
            assertTrue(src.contains("#define EMBER_COMMON_H"), f + " lacks the portability header");
            assertEquals(src.indexOf("#define EMBER_COMMON_H"), src.lastIndexOf("#define EMBER_COMMON_H"), f);
            assertTrue(src.startsWith("/*"), f + " must open with its header comment");
            assertTrue(src.contains("Called by:"), f + " header comment must say which op calls it");
        }
        assertTrue(KernelSources.load("dropout").contains("ember_philox_block"));
    }

    @Test
    void hashIsStableAndDistinguishesFiles() {
        assertEquals(KernelSources.hash("gemm"), KernelSources.hash("gemm.cl"));
        assertNotEquals(KernelSources.hash("gemm"), KernelSources.hash("optim"));
        assertEquals(64, KernelSources.hash("reduce").length());
    }

    @Test
    void activationAndOpCodesMatchTheJavaEnumsOrder() {
        String h = KernelSources.raw("ember_common.h");
        String[] acts = {"IDENTITY", "RELU", "LEAKY_RELU", "ELU", "SIGMOID", "TANH"};
        for (int i = 0; i < acts.length; i++) {
            assertTrue(h.contains("#define EMBER_ACT_" + acts[i] + " " + i), acts[i]);
        }
        String[] ops = {"ADD", "SUB", "MUL"};
        for (int i = 0; i < ops.length; i++) {
            assertTrue(h.contains("#define EMBER_OP_" + ops[i] + " " + i), ops[i]);
        }
    }

    @Test
    void unknownFamilyNamesTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KernelSources.load("nope"));
        assertTrue(e.getMessage().contains("gemm"), e.getMessage());
    }
}
