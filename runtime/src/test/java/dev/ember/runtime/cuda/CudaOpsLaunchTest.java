package dev.ember.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ember.runtime.Activation;
import dev.ember.runtime.BinaryOp;
import dev.ember.runtime.ReductionLayout;
import dev.ember.runtime.Storage;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every Backend op of the CUDA backend, run through {@link CudaOps} with a recording launcher (no
 * GPU): each launch must match its kernel's signature argument by argument, use a legal grid and
 * the block shape the kernel was compiled for, cover its data (GEMM tiles, row and column groups,
 * reduction chunks), and give temporaries enough room; every temporary is released, and every
 * kernel of the table is launched by some op. Dynamic shared memory is passed exactly where the
 * loaded image needs it: sgemm128_nn/tn from the sm_90 cubin, nowhere else.
 */
class CudaOpsLaunchTest {

    /** A device address stand-in that remembers how many floats lie behind it. */
    record Addr(long elements) {
    }

    record FakeStorage(long elements) implements Storage {
    }

    record Launch(CudaKernel k, int gx, int gy, int bx, int by, int shared, Object[] args) {
        int i(int at) {
            return (Integer) args[at];
        }

        long j(int at) {
            return (Long) args[at];
        }

        long room(int at) {
            return ((Addr) args[at]).elements();
        }
    }

    static final class Recorder implements CudaOps.Launcher {
        final List<Launch> launches = new ArrayList<>();
        int temps;
        int releases;
        /** temp() throws (as an exhausted allocator does) once this many temporaries were handed out. */
        int tempLimit = Integer.MAX_VALUE;

        @Override
        public void launch(CudaKernel k, int gx, int gy, int bx, int by, int sharedBytes, Object[] args) {
            String sig = k.signature();
            // 0, or over the 48 KB default (else static shared memory would do) and within sm_90's 227 KB opt-in limit.
            assertTrue(sharedBytes == 0 || (sharedBytes > 48 * 1024 && sharedBytes <= 227 * 1024 && sharedBytes % 16 == 0),
                    k + " dynamic shared memory " + sharedBytes);
            assertEquals(sig.length(), args.length, k + " argument count");
            for (int i = 0; i < args.length; i++) {
                Object a = args[i];
                boolean optional = (k.module().startsWith("gemm") && i == 8) || (k == CudaKernel.SGD_UPDATE && i == 2);
                boolean ok = switch (sig.charAt(i)) {
                    case 'p' -> a instanceof Addr || (a == null && optional);
                    case 'i' -> a instanceof Integer;
                    case 'j' -> a instanceof Long;
                    case 'f' -> a instanceof Float;
                    default -> false;
                };
                if (!ok) {
                    fail(k + " argument " + i + " is " + a + " (" + (a == null ? "null" : a.getClass().getSimpleName())
                            + "), signature " + sig);
                }
            }
            assertTrue(gx >= 1 && gy >= 1 && gy <= 65535, k + " grid " + gx + " x " + gy);
            int threads = k.module().equals("gemm") ? CudaKernel.PORTABLE_GEMM_THREADS * CudaKernel.PORTABLE_GEMM_THREADS : 256;
            assertEquals(threads, bx * by, k + " block " + bx + " x " + by + " (the kernel is built for " + threads + " threads)");
            launches.add(new Launch(k, gx, gy, bx, by, sharedBytes, args));
        }

        @Override
        public Object address(Storage s) {
            return new Addr(s.elements());
        }

        @Override
        public Storage temp(long n) {
            if (temps >= tempLimit) {
                throw new IllegalStateException("out of device memory (test)");
            }
            temps++;
            return new FakeStorage(n);
        }

        @Override
        public void release(Storage s) {
            releases++;
        }

        Launch only(CudaKernel k) {
            List<Launch> l = launches.stream().filter(x -> x.k() == k).toList();
            assertEquals(1, l.size(), k + " launches");
            return l.getFirst();
        }
    }

    static final int SMS = 132;
    static final long[] SIZES = {1, 7, 33, 127, 1000, 4097, 100_000, 5_000_000};

    private static Storage s(long n) {
        return new FakeStorage(n);
    }

    @Test
    void gemmGridCoversTheMatrixWithTheRightKernel() {
        int[][] shapes = {{1, 1, 1}, {7, 33, 1}, {127, 129, 33}, {1000, 1000, 1000}, {4096, 4096, 4096}, {1, 5000, 7},
            {3000, 2, 9}, {5, 8, 0}};
        for (int[] sh : shapes) {
            for (int t = 0; t < 4; t++) {
                Recorder r = new Recorder();
                CudaOps ops = new CudaOps(SMS, r);
                int m = sh[0], n = sh[1], k = sh[2];
                boolean ta = t >= 2, tb = (t & 1) == 1;
                boolean bias = (m + t) % 2 == 0;
                ops.gemm(ta, tb, m, n, k, 0.5f, s((long) m * k), s((long) k * n), 1f, s((long) m * n), bias ? s(n) : null,
                        Activation.TANH, 0f);
                Launch l = r.launches.getFirst();
                int tile = l.k().symbol().startsWith("sgemm128") ? 128 : 64;
                assertTrue(l.k().symbol().endsWith((ta ? "t" : "n") + (tb ? "t" : "n")), l.k() + " for trans " + ta + tb);
                assertTrue((long) l.gx() * tile >= n && (long) (l.gx() - 1) * tile < n, "grid x " + l.gx() + " for n " + n);
                assertTrue((long) l.gy() * tile >= m && (long) (l.gy() - 1) * tile < m, "grid y " + l.gy() + " for m " + m);
                assertEquals(m, l.i(0));
                assertEquals(n, l.i(1));
                assertEquals(k, l.i(2));
                assertEquals(bias ? 1 : 0, l.i(9));
                assertEquals(Activation.TANH.code(), l.i(10));
                if (tile == 128) {
                    assertTrue((long) l.gx() * l.gy() >= SMS, "128-tiles only when they fill the GPU");
                }
                Recorder rp = new Recorder();
                new CudaOps(SMS, rp, CudaOps.GemmPath.PORTABLE).gemm(ta, tb, m, n, k, 0.5f, s((long) m * k), s((long) k * n), 1f,
                        s((long) m * n), bias ? s(n) : null, Activation.TANH, 0f);
                Launch lp = rp.launches.getFirst();
                int pt = CudaKernel.PORTABLE_GEMM_TILE;
                assertEquals("gemm_" + (ta ? "t" : "n") + (tb ? "t" : "n"), lp.k().symbol());
                assertTrue((long) lp.gx() * pt >= n && (long) (lp.gx() - 1) * pt < n, "portable grid x");
                assertTrue((long) lp.gy() * pt >= m && (long) (lp.gy() - 1) * pt < m, "portable grid y");
                assertEquals(CudaKernel.PORTABLE_GEMM_THREADS, lp.bx());
                assertEquals(CudaKernel.PORTABLE_GEMM_THREADS, lp.by());
                Recorder rt = new Recorder();
                new CudaOps(SMS, rt, CudaOps.GemmPath.TF32).gemm(ta, tb, m, n, k, 0.5f, s((long) m * k), s((long) k * n),
                        1f, s((long) m * n), bias ? s(n) : null, Activation.TANH, 0f);
                Launch lt = rt.launches.getFirst();
                assertEquals("sgemm_tf32_" + (ta ? "t" : "n") + (tb ? "t" : "n"), lt.k().symbol());
                assertTrue((long) lt.gx() * 128 >= n && (long) (lt.gx() - 1) * 128 < n, "tf32 grid x");
                assertTrue((long) lt.gy() * 128 >= m && (long) (lt.gy() - 1) * 128 < m, "tf32 grid y");
            }
        }
    }

    /** Every module loaded from one kind of image: "ptx", "sm_80" or "sm_90" (CudaImages resource names). */
    static Map<String, String> images(String kind) {
        Map<String, String> m = new HashMap<>();
        for (String module : CudaKernel.modules()) {
            m.put(module, kind.equals("ptx") ? CudaImages.ptxFor(module) : CudaImages.ROOT + module + "." + kind + ".cubin");
        }
        return m;
    }

    /**
     * sgemm128_nn and sgemm128_tn of the sm_90 cubin are the cp.async kernels with 66,560 bytes of
     * dynamic shared memory; every other kernel, and those two from the sm_80 cubin or the PTX (also
     * when only gemm_cuda fell back to its PTX), launch with none.
     */
    @Test
    void dynamicSharedMemoryOnlyForTheSm90CpAsyncGemms() {
        Set<CudaKernel> cp = EnumSet.of(CudaKernel.SGEMM128_NN, CudaKernel.SGEMM128_TN);
        Map<String, String> fallback = images("sm_90");
        fallback.put("gemm_cuda", CudaImages.ptxFor("gemm_cuda")); // the sm_90 cubin was refused, the PTX loaded
        for (String kind : List.of("none", "ptx", "sm_80", "sm_90", "sm_90 with gemm_cuda from PTX")) {
            Map<String, String> images = switch (kind) {
                case "none" -> Map.of();
                case "sm_90 with gemm_cuda from PTX" -> fallback;
                default -> images(kind);
            };
            boolean sm90 = kind.equals("sm_90");
            for (CudaKernel k : CudaKernel.values()) {
                int want = sm90 && cp.contains(k) ? 66_560 : 0;
                assertEquals(want, k.dynamicSharedBytes(images.get(k.module())), k + " from " + kind);
            }
            for (CudaOps.GemmPath path : CudaOps.GemmPath.values()) {
                Recorder r = new Recorder();
                CudaOps ops = new CudaOps(SMS, r, path, images);
                for (int t = 0; t < 4; t++) {
                    for (int size : new int[] {9, 777, 2000, 4096}) { // 64-tiles (9, 777), 128-tiles ragged and whole
                        ops.gemm(t >= 2, (t & 1) == 1, size, size, size, 0.5f, s((long) size * size), s((long) size * size),
                                0.25f, s((long) size * size), s(size), Activation.RELU, 0f);
                    }
                }
                ops.sum(s(1000), 1000, s(1));
                ops.softmax(s(1000), s(1000), 10, 100);
                int cpLaunches = 0;
                for (Launch l : r.launches) {
                    int want = sm90 && cp.contains(l.k()) ? CudaKernel.SGEMM128_SM90_SHARED_BYTES : 0;
                    assertEquals(want, l.shared(), l.k() + " from " + kind + ", path " + path);
                    assertEquals(want, ops.sharedBytes(l.k()));
                    cpLaunches += l.shared() > 0 ? 1 : 0;
                }
                // FAST: NN and TN at 2000 and 4096 use the 128-tiles (4 launches), all from the cp.async kernels on sm_90.
                assertEquals(sm90 && path == CudaOps.GemmPath.FAST ? 4 : 0, cpLaunches, kind + ", path " + path);
            }
        }
        assertEquals(66_560, CudaKernel.SGEMM128_SM90_SHARED_BYTES, "4 x (16 x 132 + 16 x 128) floats");
    }

    @Test
    void reductionsSplitIntoCoveringChunksAndFinishOverEveryPartial() {
        for (long n : SIZES) {
            for (int squares = 0; squares < 2; squares++) {
                Recorder r = new Recorder();
                CudaOps ops = new CudaOps(SMS, r);
                if (squares == 0) {
                    ops.sum(s(n), n, s(1));
                } else {
                    ops.sumSquares(s(n), n, s(1));
                }
                Launch part = r.only(CudaKernel.SUM_PARTIAL), fin = r.only(CudaKernel.SUM_FINAL);
                long chunk = part.j(2);
                assertEquals(n, part.j(1));
                assertEquals(squares, part.i(3));
                assertTrue(part.gx() * chunk >= n && (part.gx() - 1) * chunk < n, "chunks cover n = " + n);
                assertTrue(part.room(4) >= part.gx(), "partials fit");
                assertEquals(part.gx(), fin.i(1), "finish sums every partial");
                assertEquals(1, fin.gx());
                assertEquals(1, r.temps);
                assertEquals(1, r.releases);
            }
            for (CudaKernel k : List.of(CudaKernel.BCE_PARTIAL, CudaKernel.MSE_PARTIAL)) {
                Recorder r = new Recorder();
                CudaOps ops = new CudaOps(SMS, r);
                if (k == CudaKernel.BCE_PARTIAL) {
                    ops.bceWithLogits(s(n), s(n), s(n), s(1), n);
                } else {
                    ops.mse(s(n), s(n), s(n), s(1), n);
                }
                Launch part = r.only(k), fin = r.only(CudaKernel.LOSS_FINISH);
                long chunk = part.j(5);
                assertTrue(part.gx() * chunk >= n && (part.gx() - 1) * chunk < n);
                assertTrue(part.room(3) >= part.gx());
                assertEquals(part.gx(), fin.i(1));
                assertEquals(1f / n, (Float) fin.args()[2]);
                assertEquals(k == CudaKernel.BCE_PARTIAL ? 1f / n : 2f / n, (Float) part.args()[6]);
                assertEquals(r.temps, r.releases);
            }
        }
    }

    /** Empty rows or columns launch nothing: a grid of zero blocks is CUDA_ERROR_INVALID_VALUE. */
    @Test
    void emptyShapesLaunchNoKernel() {
        for (int[] sh : new int[][] {{0, 5}, {5, 0}}) {
            int rows = sh[0], cols = sh[1];
            Recorder r = new Recorder();
            CudaOps ops = new CudaOps(SMS, r);
            if (rows == 0) {
                ops.rowArgmax(s(1), s(1), rows, cols);
                ops.softmax(s(1), s(1), rows, cols);
            } else {
                ops.columnSums(s(1), s(1), rows, cols, 0f);
                ops.columnMeanVariance(s(1), s(1), s(1), rows, cols);
            }
            assertTrue(r.launches.isEmpty(), rows + "x" + cols + ": " + r.launches);
        }
    }

    @Test
    void rowAndColumnKernelsCoverTheirShape() {
        int[][] shapes = {{1, 1}, {7, 33}, {1000, 3}, {3, 1000}, {127, 4097}, {300, 10}, {1025, 5}, {65536, 1000}};
        for (int[] sh : shapes) {
            int rows = sh[0], cols = sh[1];
            long n = (long) rows * cols;
            Recorder r = new Recorder();
            CudaOps ops = new CudaOps(SMS, r);
            ops.rowArgmax(s(n), s(rows), rows, cols);
            ops.softmax(s(n), s(n), rows, cols);
            ops.softmaxCrossEntropy(s(n), s(rows), s(n), s(2), rows, cols);
            ops.columnSums(s(n), s(cols), rows, cols, 1f);
            ops.columnMeanVariance(s(n), s(cols), s(cols), rows, cols);
            ops.batchNormBackward(s(n), s(cols), s(cols), s(cols), 1e-5f, s(n), s(n), s(cols), s(cols), rows, cols);
            // Row kernels: lanes per row from the column count, 256 / lanes rows per block, every row covered.
            checkRows(r.only(CudaKernel.ROW_ARGMAX), 2, 4, rows, cols);
            checkRows(r.only(CudaKernel.SOFTMAX_ROWS), 2, 4, rows, cols);
            Launch x = r.only(CudaKernel.XENT_ROWS);
            checkRows(x, 4, 6, rows, cols);
            assertTrue(x.room(3) >= 2L * rows, "cross-entropy scratch holds 2 x rows");
            // The row losses' sum: chunks of rows in G groups; with G > 1 a second pass over 2 x G partials.
            Launch xp = r.only(CudaKernel.XENT_PARTIAL);
            int groups = xp.gx(), chunk = xp.i(2);
            assertEquals(rows, xp.i(1));
            assertTrue((long) groups * chunk >= rows && (long) (groups - 1) * chunk < rows,
                    groups + " groups of " + chunk + " rows for " + rows);
            List<Launch> fin = r.launches.stream().filter(l -> l.k() == CudaKernel.XENT_FINISH).toList();
            if (groups == 1) {
                assertTrue(fin.isEmpty(), rows + " rows: one group writes the stats itself");
            } else {
                assertEquals(1, fin.size());
                assertEquals(groups, fin.getFirst().i(1));
                assertEquals(rows, fin.getFirst().i(2));
                assertTrue(xp.room(3) >= 2L * groups, "partials hold 2 x groups");
            }
            for (CudaKernel k : List.of(CudaKernel.COLUMN_MEAN_VAR, CudaKernel.BATCHNORM_BACKWARD_REDUCE)) {
                Launch l = r.only(k);
                assertEquals(CudaKernel.COL_TILE, l.bx(), k + " block x");
                assertEquals(CudaKernel.ROW_LANES, l.by(), k + " block y");
                assertTrue((long) l.gx() * CudaKernel.COL_TILE >= cols && (long) (l.gx() - 1) * CudaKernel.COL_TILE < cols);
            }
            checkColumnSums(r, rows, cols);
            assertEquals(r.temps, r.releases);
        }
    }

    private static void checkRows(Launch l, int rowsArg, int lanesArg, int rows, int cols) {
        int lanes = l.i(lanesArg);
        assertEquals(ReductionLayout.rowLanes(cols, 256), lanes, l.k() + " lanes for " + cols + " columns");
        assertTrue(Integer.bitCount(lanes) == 1 && lanes <= 256 && (lanes >= Math.min(cols, 32) || lanes == 256),
                l.k() + ": lanes " + lanes + " for " + cols + " columns");
        int perBlock = 256 / lanes;
        assertEquals(256, l.bx());
        assertTrue((long) l.gx() * perBlock >= rows && (long) (l.gx() - 1) * perBlock < rows,
                l.k() + ": " + l.gx() + " blocks of " + perBlock + " rows for " + rows);
        assertEquals(rows, l.i(rowsArg));
        assertEquals(cols, l.i(rowsArg + 1));
    }

    /**
     * Column sums: one launch up to 1,024 rows; beyond, chunks of rows into a partial of chunks x cols
     * (beta 0), then that partial's columns onto the output (beta as given). Every row lies in one chunk.
     */
    private static void checkColumnSums(Recorder r, int rows, int cols) {
        List<Launch> ls = r.launches.stream().filter(l -> l.k() == CudaKernel.COLUMN_SUMS).toList();
        for (Launch l : ls) {
            assertEquals(CudaKernel.COL_TILE, l.bx());
            assertEquals(CudaKernel.ROW_LANES, l.by());
            assertTrue((long) l.gx() * CudaKernel.COL_TILE >= cols && (long) (l.gx() - 1) * CudaKernel.COL_TILE < cols);
            assertEquals(cols, l.i(3));
        }
        Launch last = ls.getLast();
        assertEquals(1f, (Float) last.args()[4], "the output's beta");
        assertEquals(cols, last.room(1), "the last launch writes the output");
        if (rows <= 1024) {
            assertEquals(1, ls.size(), rows + " rows: one launch");
            assertEquals(1, last.gy());
            assertTrue(last.i(5) >= rows, "one chunk covers " + rows + " rows");
            return;
        }
        assertEquals(2, ls.size(), rows + " rows: chunks, then their sums");
        Launch first = ls.getFirst();
        int chunks = first.gy(), per = first.i(5);
        assertTrue(chunks > 1 && (long) chunks * per >= rows && (long) (chunks - 1) * per < rows,
                chunks + " chunks of " + per + " rows for " + rows);
        assertEquals(rows, first.i(2));
        assertEquals(0f, (Float) first.args()[4], "partials are written, not accumulated");
        assertTrue(first.room(1) >= (long) chunks * cols, "the partial holds chunks x cols");
        assertEquals(chunks, last.i(2), "the second launch sums the chunks' rows");
        assertEquals(1, last.gy());
        assertTrue(last.i(5) >= chunks);
    }

    /**
     * An op whose second temporary cannot be allocated still releases its first: cross-entropy over
     * more rows than one group sums takes a scratch and then a partial buffer.
     */
    @Test
    void temporariesAreReleasedWhenALaterAllocationFails() {
        for (int limit = 0; limit <= 2; limit++) {
            Recorder r = new Recorder();
            r.tempLimit = limit;
            CudaOps ops = new CudaOps(SMS, r);
            int rows = 5000, cols = 10;
            Runnable xent = () -> ops.softmaxCrossEntropy(s((long) rows * cols), s(rows), s((long) rows * cols), s(2), rows,
                    cols);
            if (limit < 2) {
                org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, xent::run);
            } else {
                xent.run();
            }
            assertEquals(limit, r.temps, "temporaries handed out");
            assertEquals(r.temps, r.releases, "every temporary released, limit " + limit);
        }
    }

    @Test
    void everyOpLaunchesWellFormedKernelsAndTheTableIsCovered() {
        Set<CudaKernel> seen = EnumSet.noneOf(CudaKernel.class);
        for (long n : SIZES) {
            Recorder r = new Recorder();
            // Alternately as on Hopper (sm_90 cubins, the cp.async GEMMs with dynamic shared memory) and on the PTX.
            CudaOps ops = new CudaOps(SMS, r, images(n % 2 == 0 ? "sm_90" : "ptx"));
            int rows = (int) Math.max(1, n / 7), cols = (int) Math.max(1, n / rows);
            long rc = (long) rows * cols;
            for (Activation act : Activation.values()) {
                ops.activation(act, 0.1f, s(n), s(n), n);
                ops.activationBackward(act, 0.1f, s(n), s(n), s(n), s(n), n);
            }
            for (BinaryOp op : BinaryOp.values()) {
                ops.binary(op, s(n), s(n), s(n), n);
            }
            ops.scale(2f, s(n), s(n), n);
            ops.axpy(2f, s(n), s(n), n);
            ops.clamp(-1f, 1f, s(n), s(n), n);
            ops.biasAdd(s(rc), s(cols), s(rc), rows, cols);
            ops.dropout(0x1234_5678_9abc_def0L, 0.25f, s(n), s(n), n);
            ops.fmaPeak(s(ops.fmaPeakItems()), 100);
            ops.batchNorm(s(rc), s(cols), s(cols), s(cols), s(cols), 1e-5f, s(rc), rows, cols);
            ops.sgdUpdate(s(n), s(n), null, n, 0.1f, 0f, 0f, false, false);
            ops.sgdUpdate(s(n), s(n), s(n), n, 0.1f, 0.9f, 1e-4f, true, true);
            ops.adamUpdate(s(n), s(n), s(n), s(n), n, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, true, 3);
            ops.rmspropUpdate(s(n), s(n), s(n), n, 1e-3f, 0.99f, 1e-8f, 0f);
            ops.adagradUpdate(s(n), s(n), s(n), n, 1e-2f, 1e-10f, 0f);
            ops.gemm(false, false, rows, cols, 3, 1f, s(rows * 3L), s(3L * cols), 0f, s(rc), null, Activation.IDENTITY, 0f);
            ops.sum(s(n), n, s(1));
            ops.softmaxCrossEntropy(s(rc), s(rows), s(rc), s(2), rows, cols);
            ops.bceWithLogits(s(n), s(n), s(n), s(1), n);
            ops.mse(s(n), s(n), s(n), s(1), n);
            ops.rowArgmax(s(rc), s(rows), rows, cols);
            ops.softmax(s(rc), s(rc), rows, cols);
            ops.columnSums(s(rc), s(cols), rows, cols, 0f);
            ops.columnMeanVariance(s(rc), s(cols), s(cols), rows, cols);
            ops.batchNormBackward(s(rc), s(cols), s(cols), s(cols), 1e-5f, s(rc), s(rc), s(cols), s(cols), rows, cols);
            CudaOps portable = new CudaOps(SMS, r, CudaOps.GemmPath.PORTABLE);
            CudaOps tf32 = new CudaOps(SMS, r, CudaOps.GemmPath.TF32);
            for (int t = 0; t < 4; t++) {
                portable.gemm(t >= 2, (t & 1) == 1, 40, 33, 8, 1f, s(320), s(264), 0f, s(1320), null, Activation.RELU, 0f);
                tf32.gemm(t >= 2, (t & 1) == 1, 40, 33, 8, 1f, s(320), s(264), 0f, s(1320), null, Activation.RELU, 0f);
                ops.gemm(t >= 2, (t & 1) == 1, 5000, 5000, 8, 1f, s(40000), s(40000), 0f, s(25_000_000), s(5000),
                        Activation.RELU, 0f);
                ops.gemm(t >= 2, (t & 1) == 1, 9, 9, 8, 1f, s(72), s(72), 0f, s(81), null, Activation.RELU, 0f);
            }
            for (Launch l : r.launches) {
                seen.add(l.k());
                // Grid-stride kernels: never more blocks than needed, never more than 32 per SM.
                if (l.k().signature().contains("j") && l.k() != CudaKernel.SUM_PARTIAL && !l.k().name().endsWith("_PARTIAL")) {
                    long items = l.k() == CudaKernel.DROPOUT_FORWARD ? (n + 3) / 4 : n;
                    assertTrue(l.gx() <= Math.max(1, (items + 255) / 256) && l.gx() <= 32 * SMS, l.k() + " grid " + l.gx());
                }
            }
            Launch drop = r.only(CudaKernel.DROPOUT_FORWARD);
            assertEquals(0x9abcdef0, drop.i(3), "seed low word");
            assertEquals(0x12345678, drop.i(4), "seed high word");
            assertEquals(1f / 0.75f, (Float) drop.args()[6]);
            Launch fma = r.only(CudaKernel.FMA_PEAK);
            assertEquals(2048L * SMS, (long) fma.gx() * fma.bx(), "fma_peak: 2048 work-items per SM");
            assertEquals((long) fma.gx() * fma.bx(), fma.room(0), "fma_peak: one output float per work-item");
            assertEquals(100, fma.i(1), "fma_peak iterations");
            assertEquals(r.temps, r.releases, "temporaries released");
        }
        assertEquals(EnumSet.allOf(CudaKernel.class), seen, "kernels never launched by any op");
    }
}
