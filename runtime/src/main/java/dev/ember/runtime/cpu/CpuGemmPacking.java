package dev.ember.runtime.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Packs blocks of op(A) and op(B) into the contiguous, zero-padded panel layout the micro-kernel
 * streams through, so one kernel serves all four transpose cases and never sees an edge in K.
 */
final class CpuGemmPacking {
    private static final VectorSpecies<Float> V = FloatVector.SPECIES_256;
    private static final VectorSpecies<Float> V4 = FloatVector.SPECIES_128;

    /**
     * Operands of fewer floats than this (op(A) m x k, op(B) k x n, as a whole) are packed by the
     * scalar loops. The register-transpose paths run far slower until C2 has compiled them
     * (Vector API code in the interpreter allocates every vector), which costs the short runs of
     * small models more than it saves: training the digits model (64-64-10, 50 epochs of 45
     * batches of 32) took 1.6-2.0 s with them against 1.0-1.1 s without.
     */
    static final int TRANSPOSE_MIN = 1 << 14;

    private CpuGemmPacking() {
    }

    /**
     * Packs alpha * op(A)[i0 .. i0+mc, p0 .. p0+kc] as panels of {@code mr} rows: panel r holds, for each
     * p, the mr values of column p (rows past mc are zero). op(A) is m x k; A is m x k, or k x m if transA.
     */
    static void packA(boolean transA, float[] a, int m, int k, int i0, int mc, int p0, int kc, float alpha,
                      float[] dst, int dstOff, int mr) {
        for (int r = 0; r < mc; r += mr) {
            int rows = Math.min(mr, mc - r);
            int base = dstOff + r * kc;
            if (!transA && rows == 4 && mr == 4) {
                // Four row streams in, one sequential stream out. For large operands 4 x 8 blocks
                // are transposed in registers (2.2x faster than moving one float at a time;
                // RESULTS.md); the scalar loop does the rest.
                int s0 = (i0 + r) * k + p0, s1 = s0 + k, s2 = s1 + k, s3 = s2 + k;
                int p = 0;
                if (kc >= 8 && (long) m * k >= TRANSPOSE_MIN) {
                    FloatVector av = FloatVector.broadcast(V, alpha);
                    for (; p + 8 <= kc; p += 8) {
                        transpose4x8(FloatVector.fromArray(V, a, s0 + p).mul(av),
                                FloatVector.fromArray(V, a, s1 + p).mul(av),
                                FloatVector.fromArray(V, a, s2 + p).mul(av),
                                FloatVector.fromArray(V, a, s3 + p).mul(av), dst, base + p * 4);
                    }
                }
                for (; p < kc; p++) {
                    int d = base + p * 4;
                    dst[d] = alpha * a[s0 + p];
                    dst[d + 1] = alpha * a[s1 + p];
                    dst[d + 2] = alpha * a[s2 + p];
                    dst[d + 3] = alpha * a[s3 + p];
                }
            } else if (!transA) {
                for (int ii = 0; ii < rows; ii++) {
                    int src = (i0 + r + ii) * k + p0;
                    int d = base + ii;
                    for (int p = 0; p < kc; p++) {
                        dst[d + p * mr] = alpha * a[src + p];
                    }
                }
            } else if (rows == 4 && mr == 4) {
                FloatVector av = FloatVector.broadcast(V4, alpha);
                int src = p0 * m + i0 + r;
                for (int p = 0; p < kc; p++) {
                    FloatVector.fromArray(V4, a, src + p * m).mul(av).intoArray(dst, base + p * 4);
                }
            } else {
                for (int p = 0; p < kc; p++) {
                    int src = (p0 + p) * m + i0 + r;
                    int d = base + p * mr;
                    for (int ii = 0; ii < rows; ii++) {
                        dst[d + ii] = alpha * a[src + ii];
                    }
                }
            }
            if (rows < mr) {
                for (int p = 0; p < kc; p++) {
                    for (int ii = rows; ii < mr; ii++) {
                        dst[base + p * mr + ii] = 0f;
                    }
                }
            }
        }
    }

    /** Interleaves lanes (x0 y0 x1 y1 | x4 y4 x5 y5): AVX2's unpcklps. */
    static final VectorShuffle<Float> UNPACK_LO = VectorShuffle.fromValues(V, 0, 8, 1, 9, 4, 12, 5, 13);
    /** Interleaves lanes (x2 y2 x3 y3 | x6 y6 x7 y7): AVX2's unpckhps. */
    static final VectorShuffle<Float> UNPACK_HI = VectorShuffle.fromValues(V, 2, 10, 3, 11, 6, 14, 7, 15);
    /** Pairs of lanes (x0 x1 y0 y1 | x2 x3 y2 y3) from the low 128-bit halves. */
    static final VectorShuffle<Float> PAIRS_LO = VectorShuffle.fromValues(V, 0, 1, 8, 9, 2, 3, 10, 11);
    /** The same from the high halves. */
    static final VectorShuffle<Float> PAIRS_HI = VectorShuffle.fromValues(V, 4, 5, 12, 13, 6, 7, 14, 15);

    /**
     * Writes the 4 x 8 block with rows r0..r3 column by column: dst[off + 4p + i] = r_i[p]. Rows 0/1
     * and 2/3 are interleaved first (t0 = a0 b0 a1 b1 | a4 b4 a5 b5, t1 = a2 b2 a3 b3 | a6 b6 a7 b7,
     * likewise t2, t3 for c, d); each output vector then takes two pairs from each.
     */
    private static void transpose4x8(FloatVector r0, FloatVector r1, FloatVector r2, FloatVector r3, float[] dst,
                                     int off) {
        FloatVector t0 = r0.rearrange(UNPACK_LO, r1), t1 = r0.rearrange(UNPACK_HI, r1);
        FloatVector t2 = r2.rearrange(UNPACK_LO, r3), t3 = r2.rearrange(UNPACK_HI, r3);
        t0.rearrange(PAIRS_LO, t2).intoArray(dst, off);
        t1.rearrange(PAIRS_LO, t3).intoArray(dst, off + 8);
        t0.rearrange(PAIRS_HI, t2).intoArray(dst, off + 16);
        t1.rearrange(PAIRS_HI, t3).intoArray(dst, off + 24);
    }

    /** The low 128-bit halves of two vectors (AVX's vperm2f128 0x20). */
    private static final VectorShuffle<Float> HALVES_LO = VectorShuffle.fromValues(V, 0, 1, 2, 3, 8, 9, 10, 11);
    /** The high 128-bit halves of two vectors (vperm2f128 0x31). */
    private static final VectorShuffle<Float> HALVES_HI = VectorShuffle.fromValues(V, 4, 5, 6, 7, 12, 13, 14, 15);

    /**
     * Transposes the 8 x 8 block whose row i starts at b[src + i * ld]: dst[off + p * nr + i] =
     * b[src + i * ld + p]. Rows 0-3 and 4-7 each go through the two stages of
     * {@link #transpose4x8}, giving (column p | column p + 1) pairs of half columns, and the
     * matching halves are then joined.
     */
    private static void transpose8x8(float[] b, int src, int ld, float[] dst, int off, int nr) {
        FloatVector r0 = FloatVector.fromArray(V, b, src), r1 = FloatVector.fromArray(V, b, src + ld);
        FloatVector r2 = FloatVector.fromArray(V, b, src + 2 * ld), r3 = FloatVector.fromArray(V, b, src + 3 * ld);
        FloatVector r4 = FloatVector.fromArray(V, b, src + 4 * ld), r5 = FloatVector.fromArray(V, b, src + 5 * ld);
        FloatVector r6 = FloatVector.fromArray(V, b, src + 6 * ld), r7 = FloatVector.fromArray(V, b, src + 7 * ld);
        FloatVector t0 = r0.rearrange(UNPACK_LO, r1), t1 = r0.rearrange(UNPACK_HI, r1);
        FloatVector t2 = r2.rearrange(UNPACK_LO, r3), t3 = r2.rearrange(UNPACK_HI, r3);
        FloatVector t4 = r4.rearrange(UNPACK_LO, r5), t5 = r4.rearrange(UNPACK_HI, r5);
        FloatVector t6 = r6.rearrange(UNPACK_LO, r7), t7 = r6.rearrange(UNPACK_HI, r7);
        // u01 = rows 0-3 of (column 0 | column 1), u45 = (4 | 5), u23 = (2 | 3), u67 = (6 | 7); w likewise for rows 4-7
        FloatVector u01 = t0.rearrange(PAIRS_LO, t2), u45 = t0.rearrange(PAIRS_HI, t2);
        FloatVector u23 = t1.rearrange(PAIRS_LO, t3), u67 = t1.rearrange(PAIRS_HI, t3);
        FloatVector w01 = t4.rearrange(PAIRS_LO, t6), w45 = t4.rearrange(PAIRS_HI, t6);
        FloatVector w23 = t5.rearrange(PAIRS_LO, t7), w67 = t5.rearrange(PAIRS_HI, t7);
        u01.rearrange(HALVES_LO, w01).intoArray(dst, off);
        u01.rearrange(HALVES_HI, w01).intoArray(dst, off + nr);
        u23.rearrange(HALVES_LO, w23).intoArray(dst, off + 2 * nr);
        u23.rearrange(HALVES_HI, w23).intoArray(dst, off + 3 * nr);
        u45.rearrange(HALVES_LO, w45).intoArray(dst, off + 4 * nr);
        u45.rearrange(HALVES_HI, w45).intoArray(dst, off + 5 * nr);
        u67.rearrange(HALVES_LO, w67).intoArray(dst, off + 6 * nr);
        u67.rearrange(HALVES_HI, w67).intoArray(dst, off + 7 * nr);
    }

    /**
     * Packs op(B)[p0 .. p0+kc, j0 .. j0+nc] as panels of {@code nr} columns: panel q holds, for each p, the
     * nr values of row p (columns past nc are zero). op(B) is k x n; B is k x n, or n x k if transB.
     */
    static void packB(boolean transB, float[] b, int n, int k, int p0, int kc, int j0, int nc,
                      float[] dst, int dstOff, int nr) {
        for (int q = 0; q < nc; q += nr) {
            int cols = Math.min(nr, nc - q);
            int base = dstOff + q * kc;
            if (!transB && cols == nr && nr == 2 * V.length()) {
                // Two vector copies per row: an arraycopy call per 16 floats cost twice as long.
                int src = p0 * n + j0 + q;
                for (int p = 0; p < kc; p++) {
                    int s = src + p * n, d = base + p * nr;
                    FloatVector.fromArray(V, b, s).intoArray(dst, d);
                    FloatVector.fromArray(V, b, s + 8).intoArray(dst, d + 8);
                }
            } else if (!transB) {
                for (int p = 0; p < kc; p++) {
                    System.arraycopy(b, (p0 + p) * n + j0 + q, dst, base + p * nr, cols);
                }
            } else if (cols == nr && nr == 2 * V.length() && (long) n * k >= TRANSPOSE_MIN) {
                // 8 x 8 blocks transposed in registers, eight rows of B at a time along the whole
                // slice, so each row is read as one sequential stream: against the 8-k blocks of
                // single floats below, 20% faster on a quiet host and up to 1.9x when other guests
                // crowd L3 (RESULTS.md).
                int kc8 = kc & ~7;
                for (int h = 0; h < nr; h += 8) {
                    int src = (j0 + q + h) * k + p0;
                    for (int p = 0; p < kc8; p += 8) {
                        transpose8x8(b, src + p, k, dst, base + p * nr + h, nr);
                    }
                }
                int src = (j0 + q) * k + p0;
                for (int p = kc8; p < kc; p++) {
                    int d = base + p * nr;
                    for (int jj = 0; jj < nr; jj++) {
                        dst[d + jj] = b[src + jj * k + p];
                    }
                }
            } else if (cols == nr) {
                // Blocks of 8 k: each B row is read 32 bytes at a time into an L1-resident
                // 8 x nr block. Reading one float from each of nr rows per k instead was 2-5x
                // slower (at k = 1024 all nr rows are 4 KiB apart and fight over one L1 set).
                int src = (j0 + q) * k + p0;
                int p = 0;
                for (; p + 8 <= kc; p += 8) {
                    for (int jj = 0; jj < nr; jj++) {
                        int si = src + jj * k + p, d = base + p * nr + jj;
                        dst[d] = b[si];
                        dst[d + nr] = b[si + 1];
                        dst[d + 2 * nr] = b[si + 2];
                        dst[d + 3 * nr] = b[si + 3];
                        dst[d + 4 * nr] = b[si + 4];
                        dst[d + 5 * nr] = b[si + 5];
                        dst[d + 6 * nr] = b[si + 6];
                        dst[d + 7 * nr] = b[si + 7];
                    }
                }
                for (; p < kc; p++) {
                    int d = base + p * nr;
                    for (int jj = 0; jj < nr; jj++) {
                        dst[d + jj] = b[src + jj * k + p];
                    }
                }
            } else {
                for (int jj = 0; jj < cols; jj++) {
                    int src = (j0 + q + jj) * k + p0;
                    int d = base + jj;
                    for (int p = 0; p < kc; p++) {
                        dst[d + p * nr] = b[src + p];
                    }
                }
            }
            if (cols < nr) {
                for (int p = 0; p < kc; p++) {
                    for (int jj = cols; jj < nr; jj++) {
                        dst[base + p * nr + jj] = 0f;
                    }
                }
            }
        }
    }
}
