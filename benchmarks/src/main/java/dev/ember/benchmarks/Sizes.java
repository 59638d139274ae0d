package dev.ember.benchmarks;

import java.util.Locale;

/**
 * The size notations of the suites: element counts ({@code 1M}, {@code 256K}, {@code 1000}),
 * matrices ({@code 1024x10}), MLPs at a batch size ({@code 784-256-128-10@128}) and GEMM sides
 * ({@code 1024}). Every parser throws {@link IllegalArgumentException} naming the bad value.
 */
public final class Sizes {
    /** What kind of size a benchmark takes. */
    public enum Kind {
        ELEMENTS("an element count such as 1M, 256K or 1000"),
        MATRIX("a matrix such as 1024x10 (rows x columns)"),
        MLP("an MLP at a batch size such as 784-256-128-10@128"),
        SIDE("a square matrix side such as 1024"),
        NAME("a named shape such as mlp_fwd_b128");

        public final String description;

        Kind(String description) {
            this.description = description;
        }
    }

    /** Layer widths and batch size of an MLP size. */
    public record Mlp(int[] layers, int batch) {
    }

    private Sizes() {
    }

    /** Parses an element count: digits with an optional K (2^10) or M (2^20) suffix. */
    public static long elements(String s) {
        String t = s.trim().toUpperCase(Locale.ROOT);
        long unit = 1;
        if (t.endsWith("K")) {
            unit = 1L << 10;
            t = t.substring(0, t.length() - 1);
        } else if (t.endsWith("M")) {
            unit = 1L << 20;
            t = t.substring(0, t.length() - 1);
        }
        long v = positive(s, t, "element count");
        if (v * unit > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("size '" + s + "' exceeds 2^31 elements");
        }
        return v * unit;
    }

    /** Parses {@code RxC} into {rows, cols}. */
    public static int[] matrix(String s) {
        String[] p = s.trim().toLowerCase(Locale.ROOT).split("x", -1);
        if (p.length != 2) {
            throw new IllegalArgumentException("size '" + s + "' is not a matrix like 1024x10");
        }
        int[] rc = {(int) positive(s, p[0], "row count"), (int) positive(s, p[1], "column count")};
        fitsOneArray(s, (long) rc[0] * rc[1]);
        return rc;
    }

    /** Parses {@code 784-256-128-10@128}. */
    public static Mlp mlp(String s) {
        String t = s.trim();
        int at = t.indexOf('@');
        if (at < 0) {
            throw new IllegalArgumentException("size '" + s + "' is not an MLP like 784-256-128-10@128 (missing @batch)");
        }
        String[] w = t.substring(0, at).split("-", -1);
        if (w.length < 2) {
            throw new IllegalArgumentException("size '" + s + "' needs at least an input and an output width");
        }
        int[] layers = new int[w.length];
        for (int i = 0; i < w.length; i++) {
            layers[i] = (int) positive(s, w[i], "layer width");
        }
        int batch = (int) positive(s, t.substring(at + 1), "batch size");
        for (int i = 0; i < layers.length; i++) {
            fitsOneArray(s, (long) batch * layers[i]);
            if (i + 1 < layers.length) {
                fitsOneArray(s, (long) layers[i] * layers[i + 1]);
            }
        }
        return new Mlp(layers, batch);
    }

    /** Parses a GEMM side. */
    public static int side(String s) {
        int n = (int) positive(s, s.trim(), "matrix side");
        fitsOneArray(s, (long) n * n);
        return n;
    }

    /** The suites hold each matrix (activation, weight) in one float[]: refuse one that cannot be allocated. */
    private static void fitsOneArray(String s, long elements) {
        if (elements > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("size '" + s + "' needs a matrix of " + elements
                    + " elements, more than one array holds (2^31)");
        }
    }

    /** Whether {@code s} parses as a size of {@code kind}. */
    public static boolean fits(Kind kind, String s) {
        try {
            magnitude(kind, s);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** A named shape's batch suffix, {@code _b128}. */
    private static final java.util.regex.Pattern BATCH_SUFFIX = java.util.regex.Pattern.compile("_b([0-9]{1,9})$");

    /**
     * The product that a size of {@code kind} measures, where sizes of one op measure different
     * products: a named shape less its {@code _b<batch>} suffix ({@code mlp_fwd} for
     * {@code mlp_fwd_b128}; mlp_fwd and mlp_dx are two GEMMs, not two sizes of one), or the whole
     * name where it has no suffix. Empty for the other kinds, whose sizes scale one product.
     */
    public static String product(Kind kind, String s) {
        if (kind != Kind.NAME) {
            return "";
        }
        return BATCH_SUFFIX.matcher(s).replaceFirst("");
    }

    /**
     * A number that orders sizes of one kind from small to large (elements, or work for MLPs);
     * for named shapes, the batch of their {@code _b<batch>} suffix (0 without one), which orders
     * the sizes of one {@link #product}.
     */
    public static double magnitude(Kind kind, String s) {
        return switch (kind) {
            case ELEMENTS -> elements(s);
            case MATRIX -> {
                int[] rc = matrix(s);
                yield (double) rc[0] * rc[1];
            }
            case MLP -> {
                Mlp m = mlp(s);
                double w = 0;
                for (int i = 0; i + 1 < m.layers.length; i++) {
                    w += (double) m.layers[i] * m.layers[i + 1];
                }
                yield w * m.batch;
            }
            case SIDE -> side(s);
            case NAME -> {
                if (!s.matches("[a-z][a-z0-9]*_[a-z0-9_]+")) {
                    throw new IllegalArgumentException("size '" + s + "' is not a named shape like mlp_fwd_b128");
                }
                java.util.regex.Matcher m = BATCH_SUFFIX.matcher(s);
                yield m.find() ? Integer.parseInt(m.group(1)) : 0;
            }
        };
    }

    /**
     * The size {@code s} of {@code kind} stands for, spelled one way: {@code 1M}, {@code 1024K} and
     * {@code 1048576} are all {@code 1048576}, so two spellings of one size compare equal.
     */
    public static String canonical(Kind kind, String s) {
        return switch (kind) {
            case ELEMENTS -> Long.toString(elements(s));
            case MATRIX -> {
                int[] rc = matrix(s);
                yield rc[0] + "x" + rc[1];
            }
            case MLP -> {
                Mlp m = mlp(s);
                StringBuilder b = new StringBuilder();
                for (int w : m.layers) {
                    b.append(b.isEmpty() ? "" : "-").append(w);
                }
                yield b.append('@').append(m.batch).toString();
            }
            case SIDE -> Integer.toString(side(s));
            case NAME -> {
                magnitude(kind, s); // refuses what is not a named shape
                yield s;
            }
        };
    }

    private static long positive(String whole, String part, String what) {
        if (part.isEmpty() || !part.chars().allMatch(Character::isDigit) || part.length() > 10) {
            throw new IllegalArgumentException("size '" + whole + "': " + what + " '" + part + "' is not a positive integer");
        }
        long v = Long.parseLong(part);
        if (v < 1 || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("size '" + whole + "': " + what + " " + v + " is out of range");
        }
        return v;
    }
}
