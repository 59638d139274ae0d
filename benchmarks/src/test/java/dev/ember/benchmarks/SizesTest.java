package dev.ember.benchmarks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SizesTest {
    @Test
    void parsesEveryNotation() {
        assertEquals(1L << 20, Sizes.elements("1M"));
        assertEquals(256L << 10, Sizes.elements("256k"));
        assertEquals(1000, Sizes.elements("1000"));
        assertArrayEquals(new int[] {1024, 10}, Sizes.matrix("1024x10"));
        Sizes.Mlp m = Sizes.mlp("784-256-128-10@128");
        assertArrayEquals(new int[] {784, 256, 128, 10}, m.layers());
        assertEquals(128, m.batch());
        assertEquals(4096, Sizes.side("4096"));
    }

    @Test
    void rejectsMalformedSizesNamingThem() {
        for (String bad : new String[] {"", "M", "-1", "0", "1.5M", "4G", "3000M"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Sizes.elements(bad), bad);
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> Sizes.matrix("10x"));
        assertThrows(IllegalArgumentException.class, () -> Sizes.mlp("784-10"));
        assertThrows(IllegalArgumentException.class, () -> Sizes.mlp("784@128"));
        assertFalse(Sizes.fits(Sizes.Kind.SIDE, "1M"));
        assertTrue(Sizes.fits(Sizes.Kind.ELEMENTS, "1024"));
    }

    @Test
    void canonicalSpellsEachSizeOneWay() {
        assertEquals("1048576", Sizes.canonical(Sizes.Kind.ELEMENTS, "1M"));
        assertEquals("1048576", Sizes.canonical(Sizes.Kind.ELEMENTS, " 1024k"));
        assertEquals("64x16", Sizes.canonical(Sizes.Kind.MATRIX, "064X16"));
        assertEquals("784-10@128", Sizes.canonical(Sizes.Kind.MLP, "784-010@0128"));
        assertEquals("512", Sizes.canonical(Sizes.Kind.SIDE, "0512"));
        assertEquals("mlp_fwd_b128", Sizes.canonical(Sizes.Kind.NAME, "mlp_fwd_b128"));
        assertNotEquals(Sizes.canonical(Sizes.Kind.MATRIX, "64x16"), Sizes.canonical(Sizes.Kind.MATRIX, "16x64"));
        assertThrows(IllegalArgumentException.class, () -> Sizes.canonical(Sizes.Kind.NAME, "Mlp"));
    }

    @Test
    void magnitudeOrdersSizes() {
        assertTrue(Sizes.magnitude(Sizes.Kind.MATRIX, "128x10") < Sizes.magnitude(Sizes.Kind.MATRIX, "1024x1000"));
        assertTrue(Sizes.magnitude(Sizes.Kind.MLP, "784-1024-1024-10@256")
                < Sizes.magnitude(Sizes.Kind.MLP, "784-1024-1024-10@1024"));
        // named shapes: by batch within one product, which is the name less its batch
        assertTrue(Sizes.magnitude(Sizes.Kind.NAME, "mlp_fwd_b128") < Sizes.magnitude(Sizes.Kind.NAME, "mlp_fwd_b1024"));
        assertEquals("mlp_fwd", Sizes.product(Sizes.Kind.NAME, "mlp_fwd_b1024"));
        assertEquals("conv_small", Sizes.product(Sizes.Kind.NAME, "conv_small"));
        assertEquals(0, Sizes.magnitude(Sizes.Kind.NAME, "conv_small"));
        assertEquals("", Sizes.product(Sizes.Kind.MATRIX, "1024x10"));
    }

    @Test
    void rejectsShapesWhoseArraysExceedTwoToThe31Elements() {
        // the suites hold each matrix in one float[]: 65536x65536 cannot be allocated, and was
        // accepted here only to fail in every forked JVM with a NegativeArraySizeException
        for (String[] bad : new String[][] {{"MATRIX", "65536x65536"}, {"SIDE", "50000"},
            {"MLP", "784-100000-10@65536"}}) {
            Sizes.Kind k = Sizes.Kind.valueOf(bad[0]);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Sizes.magnitude(k, bad[1]),
                    bad[1]);
            assertTrue(e.getMessage().contains("'" + bad[1] + "'") && e.getMessage().contains("2^31"), e.getMessage());
        }
        assertTrue(Sizes.fits(Sizes.Kind.MATRIX, "4096x4096"));
        assertTrue(Sizes.fits(Sizes.Kind.SIDE, "46000"));
        assertTrue(Sizes.fits(Sizes.Kind.MLP, "784-1024-1024-10@1024"));
    }
}
