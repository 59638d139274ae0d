package dev.ember.runtime.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-tiled GEMM micro-kernel: a {@value #MR} x {@value #NR} tile of C accumulated over a
 * packed A panel (MR values per k) and a packed B panel (NR values per k).
 *
 * <p>Why this shape (measured on AVX2/FMA, JDK 25, C2): each accumulator is its own local
 * variable, since C2 keeps those in ymm registers whereas a {@code FloatVector[]} lives on the heap
 * (about 30x slower). Tiles of 10 or more accumulators spill: 4x24, 6x16, 3x32 and 5x16 ran at
 * 20-40 GFLOP/s in isolation against 80-88 for 4x16, 3x24 and 2x32 (8-9 accumulators). The
 * disassembly shows why: C2's register-pressure scheduler ({@code OptoRegScheduling}) issues an
 * iteration's A broadcasts ahead of the FMAs that use them (three at once for 6x16, all five for
 * 5x16), which needs a 17th ymm register, so one accumulator goes through the stack every k step.
 * Under {@code -XX:-OptoRegScheduling} the 6x16 loop has no spill, but the whole 1024^3 product
 * was only about 6% faster than with this kernel (RESULTS.md), too little to ask users for a JVM
 * flag. 4x16 is kept; 16 also divides the common layer widths (256, 784, 1024).
 */
final class CpuGemmKernel {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
    static final int MR = 4;
    static final int NR = 16;

    private CpuGemmKernel() {
    }

    /**
     * C[co + i*ldc + j] = acc(i, j) + (loadC ? beta * C : 0) for i < rows, j < cols, where acc is the
     * product of the packed panels over kc. {@code tmp} (MR*NR floats) stages edge tiles.
     */
    static void kernel(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc,
                       boolean loadC, float beta, int rows, int cols, float[] tmp) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int bi = bo + p * NR;
            int ai = ao + p * MR;
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + 8);
            FloatVector a = FloatVector.broadcast(S, ap[ai]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(S, ap[ai + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(S, ap[ai + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(S, ap[ai + 3]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
        }
        if (rows == MR && cols == NR) {
            if (loadC) {
                // Written out rather than in a helper: passing vectors to a method that is not
                // inlined boxes them.
                FloatVector bv = FloatVector.broadcast(S, beta);
                c00 = FloatVector.fromArray(S, c, co).fma(bv, c00);
                c01 = FloatVector.fromArray(S, c, co + 8).fma(bv, c01);
                c10 = FloatVector.fromArray(S, c, co + ldc).fma(bv, c10);
                c11 = FloatVector.fromArray(S, c, co + ldc + 8).fma(bv, c11);
                c20 = FloatVector.fromArray(S, c, co + 2 * ldc).fma(bv, c20);
                c21 = FloatVector.fromArray(S, c, co + 2 * ldc + 8).fma(bv, c21);
                c30 = FloatVector.fromArray(S, c, co + 3 * ldc).fma(bv, c30);
                c31 = FloatVector.fromArray(S, c, co + 3 * ldc + 8).fma(bv, c31);
            }
            c00.intoArray(c, co);
            c01.intoArray(c, co + 8);
            c10.intoArray(c, co + ldc);
            c11.intoArray(c, co + ldc + 8);
            c20.intoArray(c, co + 2 * ldc);
            c21.intoArray(c, co + 2 * ldc + 8);
            c30.intoArray(c, co + 3 * ldc);
            c31.intoArray(c, co + 3 * ldc + 8);
            return;
        }
        c00.intoArray(tmp, 0);
        c01.intoArray(tmp, 8);
        c10.intoArray(tmp, NR);
        c11.intoArray(tmp, NR + 8);
        c20.intoArray(tmp, 2 * NR);
        c21.intoArray(tmp, 2 * NR + 8);
        c30.intoArray(tmp, 3 * NR);
        c31.intoArray(tmp, 3 * NR + 8);
        for (int i = 0; i < rows; i++) {
            int ci = co + i * ldc, ti = i * NR;
            if (loadC) {
                for (int j = 0; j < cols; j++) {
                    c[ci + j] = Math.fma(beta, c[ci + j], tmp[ti + j]);
                }
            } else {
                System.arraycopy(tmp, ti, c, ci, cols);
            }
        }
    }
}
