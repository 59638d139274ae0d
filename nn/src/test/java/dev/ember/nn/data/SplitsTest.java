package dev.ember.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SplitsTest {
    private static final Path SPLITS = Path.of("/work/shared/datasets/splits");

    @Test
    void splitMix64MatchesPublishedFirstOutputs() {
        // Reference values of SplitMix64 seeded 0 (as in Vigna's splitmix64.c / java.util.SplittableRandom).
        Splits.SplitMix64 g = new Splits.SplitMix64(0);
        assertEquals(0xE220A8397B1DCDAFL, g.next());
        assertEquals(0x6E789E6AA1B965F4L, g.next());
        assertEquals(0x06C45D188009454FL, g.next());
    }

    @Test
    void referenceCheckValuesFromReadme() {
        assertArrayEquals(new int[] {1, 155, 52, 145, 68},
                Arrays.copyOf(Splits.splitMix64Permutation(178, 42), 5));
        assertArrayEquals(new int[] {193, 1223, 1653, 27, 933},
                Arrays.copyOf(Splits.splitMix64Permutation(1797, 42), 5));
        Split wine = Splits.reference(Datasets.load("wine"));
        assertEquals(36, wine.test().rows());
        assertEquals(142, wine.train().rows());
        Split digits = Datasets.reference("digits");
        assertEquals(360, digits.test().rows());
        // Row 193 of digits is the first test row: its raw pixels / 16.
        assertArrayEquals(scale(Datasets.load("digits").row(193), 16f), digits.test().row(0));
    }

    @Test
    void testCountsAreCeilOfOneFifth() {
        assertEquals(36, Splits.referenceTestCount(178));
        assertEquals(114, Splits.referenceTestCount(569));
        assertEquals(360, Splits.referenceTestCount(1797));
        assertEquals(89, Splits.referenceTestCount(442));
        assertEquals(30, Splits.referenceTestCount(150));
        assertEquals(3, Splits.referenceTestCount(15));
        assertEquals(1, Splits.referenceTestCount(1));
    }

    @Test
    void matchesSharedSplitFilesWhenPresent() throws IOException {
        String[][] sets = {{"wine", "wine"}, {"breast-cancer", "breast_cancer"}, {"digits", "digits"},
                {"diabetes", "diabetes"}, {"iris", "iris"}};
        int checked = 0;
        for (String[] s : sets) {
            Path f = SPLITS.resolve(s[1] + "_seed42_test.txt");
            if (!Files.isRegularFile(f)) {
                continue;
            }
            int[] expected = Files.readAllLines(f).stream().filter(l -> !l.isBlank()).mapToInt(
                    l -> Integer.parseInt(l.strip())).toArray();
            Dataset d = Datasets.load(s[0]);
            int[] p = Splits.splitMix64Permutation(d.rows(), 42);
            assertArrayEquals(expected, Arrays.copyOf(p, Splits.referenceTestCount(d.rows())), s[0]);
            checked++;
        }
        System.out.println("SplitsTest: compared " + checked + " shared split files");
    }

    @Test
    void permutationIsAPermutation() {
        for (int n : new int[] {0, 1, 2, 7, 1000}) {
            int[] p = Splits.splitMix64Permutation(n, 123);
            int[] sorted = p.clone();
            Arrays.sort(sorted);
            for (int i = 0; i < n; i++) {
                assertEquals(i, sorted[i]);
            }
        }
    }

    @Test
    void fixedSplitPartitionsRows() {
        Dataset d = Datasets.load("iris");
        Split s = Splits.fixed(d, new int[] {5, 0, 149});
        assertEquals(3, s.test().rows());
        assertEquals(147, s.train().rows());
        assertArrayEquals(d.row(5), s.test().row(0));
        assertArrayEquals(d.row(1), s.train().row(0));
        assertThrows(IllegalArgumentException.class, () -> Splits.fixed(d, new int[] {1, 1}));
        assertThrows(IllegalArgumentException.class, () -> Splits.fixed(d, new int[] {150}));
    }

    @Test
    void randomUnstratifiedWithReferenceParametersIsTheReferenceSplit() {
        Dataset d = Datasets.load("wine");
        Split a = Splits.random(d, 0.2, 42, false);
        Split b = Splits.reference(d);
        assertArrayEquals(b.test().features(), a.test().features());
        assertArrayEquals(b.train().targets(), a.train().targets());
        assertEquals(a.test().rows(), Splits.testCount(d.rows(), 0.2));
    }

    /** The test part's size, which the command line checks a file against before splitting it. */
    @Test
    void testCountIsACeilingThatLeavesATrainRow() {
        assertEquals(11, Splits.testCount(41, 0.25)); // ceil(10.25)
        assertEquals(7, Splits.testCount(25, 0.28)); // 0.28 * 25 is 7.000000000000001 in doubles: still 7
        assertEquals(1, Splits.testCount(2, 0.01)); // at least 1
        assertEquals(4, Splits.testCount(5, 0.9)); // ceil(4.5) = 5 would leave no train row
        for (int n = 2; n < 60; n++) {
            assertEquals(Splits.random(Datasets.load("iris").subset(java.util.stream.IntStream.range(0, n).toArray()),
                    0.3, 1, false).test().rows(), Splits.testCount(n, 0.3), "n = " + n);
        }
    }

    @Test
    void stratifiedKeepsClassProportionsAndIsSeeded() {
        Dataset d = Datasets.load("wine"); // 59/71/48
        Split s = Splits.random(d, 0.25, 7, true);
        assertEquals(45, s.test().rows()); // ceil(44.5)
        int[] c = s.test().classCounts();
        int[] all = d.classCounts();
        for (int k = 0; k < 3; k++) {
            double exact = all[k] * 45.0 / 178;
            assertTrue(Math.abs(c[k] - exact) < 1, "class " + k + ": " + c[k] + " vs " + exact);
        }
        assertEquals(45, c[0] + c[1] + c[2]);
        Split again = Splits.random(d, 0.25, 7, true);
        assertArrayEquals(s.test().features(), again.test().features());
        Split other = Splits.random(d, 0.25, 8, true);
        assertTrue(!Arrays.equals(s.test().features(), other.test().features()));
        // Train and test are disjoint and cover every row.
        Set<String> rows = new HashSet<>();
        for (Dataset part : new Dataset[] {s.train(), s.test()}) {
            for (int r = 0; r < part.rows(); r++) {
                rows.add(Arrays.toString(part.row(r)) + part.targets()[r]);
            }
        }
        assertEquals(178, rows.size());
        assertThrows(IllegalArgumentException.class, () -> Splits.random(Datasets.load("diabetes"), 0.2, 1, true));
        assertThrows(IllegalArgumentException.class, () -> Splits.random(d, 1.0, 1, false));
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> Splits.random(d, 0.0, 1, false));
        assertEquals("Splits.random: testFraction must be in (0, 1), got 0.0", zero.getMessage());
        IllegalArgumentException past = assertThrows(IllegalArgumentException.class,
                () -> Splits.of(d, new int[] {0, 178}, new int[] {1}));
        assertTrue(past.getMessage().startsWith("Splits: row index 178 outside [0, 178)"), past.getMessage());
        IllegalArgumentException one = assertThrows(IllegalArgumentException.class,
                () -> Splits.random(d.subset(new int[] {5}), 0.2, 1, false));
        assertTrue(one.getMessage().contains("has 1 row; a train/test split needs at least 2"), one.getMessage());
    }

    /**
     * As documented, class c's test rows are the first take[c] of its rows (in data order) permuted
     * by SplitMix64 seeded seed + c. Each row's one feature is its row number, so the test part
     * names the rows it took.
     */
    @Test
    void stratifiedTestRowsAreEachClassesSeededPermutationPrefix() {
        int n = 127;
        float[] x = new float[n];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            x[i] = i;
            labels[i] = i % 7 < 4 ? 0 : i % 7 < 6 ? 1 : 2; // 73 / 36 / 18 rows
        }
        Dataset d = Dataset.classification(x, 1, labels, 3);
        long seed = 33;
        Dataset test = Splits.random(d, 0.3, seed, true).test();
        int[] take = test.classCounts();
        Set<Integer> expected = new HashSet<>();
        for (int c = 0; c < 3; c++) {
            final int cls = c;
            int[] rowsC = java.util.stream.IntStream.range(0, n).filter(i -> labels[i] == cls).toArray();
            int[] p = Splits.splitMix64Permutation(rowsC.length, seed + c);
            for (int i = 0; i < take[c]; i++) {
                expected.add(rowsC[p[i]]);
            }
        }
        Set<Integer> got = new HashSet<>();
        for (float v : test.features()) {
            got.add((int) v);
        }
        assertEquals(expected, got);
    }

    static float[] scale(float[] x, float div) {
        float[] o = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            o[i] = x[i] / div;
        }
        return o;
    }
}
