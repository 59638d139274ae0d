package dev.ember.runtime.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ember.runtime.Device;
import dev.ember.runtime.Devices;
import dev.ember.runtime.Tensor;
import dev.ember.runtime.cpu.CpuBackend;
import dev.ember.runtime.testing.DeviceTest;
import dev.ember.runtime.testing.Rand;
import dev.ember.runtime.testing.TestDevice;
import dev.ember.runtime.testing.TestShapes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Host transfers and device-to-device copies, which must preserve every bit (NaN, infinities,
 * -0.0, subnormals): upload/download, ranged upload, copyFrom between devices, to(Device),
 * reshapedCopy, fill, and seeded randn/rand giving the same values on every device.
 */
class TransferOpsTest {
    /** A second CPU device, distinct from Devices.cpu(), so cross-device copies are exercised on every machine. */
    private static Device other;

    @BeforeAll
    static void openOther() {
        other = new Device(new CpuBackend(1));
    }

    @AfterAll
    static void closeOther() {
        other.close();
    }

    private static final float[] SPECIAL = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0.0f, 0.0f,
        Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE, 1e-40f};

    private static float[] values(Rand rand, int n) {
        float[] a = rand.normal(n, 3);
        for (int i = 0; i < Math.min(n, SPECIAL.length); i++) {
            a[(int) ((long) i * n / Math.min(n, SPECIAL.length))] = SPECIAL[i];
        }
        return a;
    }

    private static void assertBits(Rand rand, String what, float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i])) {
                assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(actual[i]), what + ": element "
                        + i + " expected " + expected[i] + " got " + actual[i] + "; " + rand.seedNote());
            }
        }
    }

    @DeviceTest
    void uploadAndDownloadKeepEveryBit(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        for (int n : TestShapes.LENGTHS) {
            float[] a = values(rand, n);
            try (Tensor t = dev.fromArray(a, n)) {
                assertBits(rand, "fromArray/toArray [" + n + "] on " + dev, a, t.toArray());
                float[] into = new float[n + 3];
                t.copyTo(into);
                assertBits(rand, "copyTo [" + n + "]", a, java.util.Arrays.copyOf(into, n));
                float[] b = values(rand, n);
                t.copyFrom(b);
                assertBits(rand, "copyFrom(float[]) [" + n + "]", b, t.toArray());
                if (n >= 7) {
                    // Ranged upload: 5 values from b2[1..6) into elements [n - 6, n - 1).
                    float[] b2 = values(rand, 7);
                    t.copyFrom(b2, 1, n - 6, 5);
                    float[] expect = b.clone();
                    System.arraycopy(b2, 1, expect, n - 6, 5);
                    assertBits(rand, "copyFrom(range) [" + n + "]", expect, t.toArray());
                }
            }
        }
        float[] m = values(rand, 2 * 3 * 4 * 5);
        try (Tensor t = dev.fromArray(m, 2, 3, 4, 5)) {
            assertBits(rand, "rank-4 2x3x4x5", m, t.toArray());
        }
    }

    @DeviceTest
    void copiesBetweenDevices(TestDevice td) {
        Device dev = td.open();
        Device cpu = Devices.cpu();
        Rand rand = Rand.fresh();
        Device[] peers = {cpu, other, dev};
        // (1 << 20) + 7: a copy between devices goes through a host array of 2^20 values, twice here
        for (int n : new int[] {1, 33, 1000, 100003, (1 << 20) + 7}) {
            float[] a = values(rand, n);
            try (Tensor src = dev.fromArray(a, n)) {
                for (Device peer : peers) {
                    try (Tensor there = src.to(peer)) {
                        assertSame(peer, there.device(), "to(" + peer + ") device");
                        assertBits(rand, "to " + dev + " -> " + peer + " [" + n + "]", a, there.toArray());
                        try (Tensor back = dev.empty(n)) {
                            back.copyFrom(there);
                            assertBits(rand, "copyFrom " + peer + " -> " + dev + " [" + n + "]", a, back.toArray());
                        }
                    }
                }
            }
        }
        // A copy keeps the shape, and a rank-1 source fills a same-size rank-2 target.
        float[] a = values(rand, 33 * 7);
        try (Tensor src = dev.fromArray(a, 33, 7); Tensor copy = src.to(other); Tensor flat = dev.empty(33 * 7)) {
            assertArrayEquals(new int[] {33, 7}, copy.shape(), "to() keeps the shape");
            flat.copyFrom(copy);
            assertBits(rand, "copyFrom 33x7 -> [231]", a, flat.toArray());
            try (Tensor r = src.reshapedCopy(7, 33)) {
                assertArrayEquals(new int[] {7, 33}, r.shape(), "reshapedCopy shape");
                assertBits(rand, "reshapedCopy 33x7 -> 7x33", a, r.toArray());
            }
        }
    }

    /**
     * Rows of a host matrix picked by an index array (shuffled, with repeats and a nonzero start)
     * land one after another, bit for bit, for rank-2 and rank-1 targets; on the CPU backend
     * 1000 x 127 and 7 x 1000 are past the size that splits the copy over the pool.
     */
    @DeviceTest
    void copyRowsFromGathersHostRowsBitForBit(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        for (int[] rc : new int[][] {{1, 1}, {7, 1}, {1, 33}, {33, 7}, {127, 33}, {1000, 127}, {7, 1000}}) {
            int count = rc[0], cols = rc[1], srcRows = count + 5, from = 3;
            float[] src = values(rand, srcRows * cols);
            int[] rows = new int[from + count + 2];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = rand.nextInt(srcRows);
            }
            float[] expect = new float[count * cols];
            for (int i = 0; i < count; i++) {
                System.arraycopy(src, rows[from + i] * cols, expect, i * cols, cols);
            }
            try (Tensor t = cols == 1 ? dev.empty(count) : dev.empty(count, cols)) {
                assertSame(t, t.copyRowsFrom(src, rows, from));
                assertBits(rand, "copyRowsFrom " + count + "x" + cols + " on " + dev, expect, t.toArray());
            }
        }
    }

    @DeviceTest
    void copyRowsFromNamesABadRowNumberOrAShortIndexArray(TestDevice td) {
        Device dev = td.open();
        float[] src = new float[10 * 3];
        try (Tensor t = dev.empty(4, 3)) {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> t.copyRowsFrom(src, new int[] {0, 9, 10, 2}, 0));
            assertEquals("copyRowsFrom: row number 10 at index 2 is outside the source, which has 10 rows of 3 values",
                    e.getMessage());
            e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> t.copyRowsFrom(src, new int[] {0, 1, -1, 2, 3}, 1));
            assertTrue(e.getMessage().contains("row number -1 at index 2"), e.getMessage());
            e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> t.copyRowsFrom(src, new int[] {0, 1, 2, 3, 4}, 2));
            assertEquals("copyRowsFrom: tensor 4x3 needs 4 row numbers from index 2, but the index array has 5",
                    e.getMessage());
        }
        Tensor closed = dev.empty(2, 3);
        closed.close();
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> closed.copyRowsFrom(src, new int[] {0, 1}, 0));
    }

    @DeviceTest
    void fillAndZeros(TestDevice td) {
        Device dev = td.open();
        Rand rand = Rand.fresh();
        for (int n : TestShapes.LENGTHS) {
            for (float v : new float[] {0f, -0.0f, 1.5f, Float.NaN, Float.NEGATIVE_INFINITY}) {
                try (Tensor t = dev.fromArray(values(rand, n), n)) {
                    t.fill(v);
                    float[] expect = new float[n];
                    java.util.Arrays.fill(expect, v);
                    assertBits(rand, "fill(" + v + ") [" + n + "]", expect, t.toArray());
                }
            }
            try (Tensor z = dev.zeros(n)) {
                assertBits(rand, "zeros [" + n + "]", new float[n], z.toArray());
            }
        }
    }

    @DeviceTest
    void seededRandomIsTheSameOnEveryDevice(TestDevice td) {
        Device dev = td.open();
        Device cpu = Devices.cpu();
        Rand rand = Rand.fresh();
        for (int[] s : TestShapes.MATRICES) {
            long seed = rand.nextLong();
            try (Tensor a = dev.randn(seed, 0.5f, 2f, s); Tensor b = cpu.randn(seed, 0.5f, 2f, s);
                 Tensor c = dev.rand(seed, -1f, 3f, s); Tensor d = cpu.rand(seed, -1f, 3f, s);
                 Tensor e = dev.randn(seed + 1, 0.5f, 2f, s)) {
                String shape = TestShapes.of(s[0], s[1]) + " seed=" + seed;
                assertBits(rand, "randn " + shape + " on " + dev + " vs cpu", b.toArray(), a.toArray());
                assertBits(rand, "rand " + shape + " on " + dev + " vs cpu", d.toArray(), c.toArray());
                float[] u = c.toArray();
                for (int i = 0; i < u.length; i++) {
                    if (!(u[i] >= -1f && u[i] < 3f)) {
                        fail("rand " + shape + ": element " + i + " = " + u[i] + " outside [-1, 3); "
                                + rand.seedNote());
                    }
                }
                if (u.length > 1) {
                    float[] x = a.toArray(), y = e.toArray();
                    boolean differs = false;
                    for (int i = 0; i < x.length; i++) {
                        differs |= x[i] != y[i];
                    }
                    assertTrue(differs, "randn " + shape + ": seeds " + seed + " and " + (seed + 1)
                            + " gave the same values");
                }
            }
        }
        // [lo, hi) is half-open even where rounding to float would land on hi: in [1000, 1000.001)
        // the floats are 2^-14 apart, and about one draw in 16 used to round up to hi itself.
        float lo = 1000f, hi = 1000.001f;
        try (Tensor t = dev.rand(rand.nextLong(), lo, hi, 1000)) {
            float[] u = t.toArray();
            for (int i = 0; i < u.length; i++) {
                if (!(u[i] >= lo && u[i] < hi)) {
                    fail("rand(" + lo + ", " + hi + "): element " + i + " = " + u[i] + " outside [lo, hi); "
                            + rand.seedNote());
                }
            }
        }
        // Moments of large samples, filled 2^20 values at a time with a partial last piece (and an
        // odd count, so the last Box-Muller pair is half used): normal, mean 0.5 +- 6 sd and std 2
        // within 2%; uniform on [-1, 3), mean 1 +- 6 sd and std 4 / sqrt(12) within 2%.
        int n = (1 << 20) + 4099;
        try (Tensor t = dev.randn(rand.nextLong(), 0.5f, 2f, n); Tensor u = dev.rand(rand.nextLong(), -1f, 3f, n)) {
            double[] mn = moments(t.toArray()), mu = moments(u.toArray());
            assertEquals(0.5, mn[0], 6 * 2 / Math.sqrt(n), "randn sample mean; " + rand.seedNote());
            assertEquals(2.0, mn[1], 0.04, "randn sample std; " + rand.seedNote());
            double sdU = 4 / Math.sqrt(12);
            assertEquals(1.0, mu[0], 6 * sdU / Math.sqrt(n), "rand sample mean; " + rand.seedNote());
            assertEquals(sdU, mu[1], 0.02 * sdU, "rand sample std; " + rand.seedNote());
        }
        // std 0 is allowed, as by PyTorch's normal_: every value is the mean; fills return the tensor
        try (Tensor t = dev.randn(rand.nextLong(), -1.25f, 0f, 7, 33)) {
            float[] expect = new float[7 * 33];
            java.util.Arrays.fill(expect, -1.25f);
            assertBits(rand, "randn with std 0", expect, t.toArray());
            assertSame(t, t.fillNormal(3, 0f, 1f));
            assertSame(t, t.fillUniform(3, 0f, 1f));
            assertSame(t, t.copyFrom(expect));
            assertBits(rand, "copyFrom after the fills", expect, t.toArray());
        }
    }

    /** {mean, population standard deviation} of v. */
    private static double[] moments(float[] v) {
        double m = 0, q = 0;
        for (float x : v) {
            m += x;
            q += (double) x * x;
        }
        m /= v.length;
        return new double[] {m, Math.sqrt(q / v.length - m * m)};
    }
}
