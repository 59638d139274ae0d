package dev.ember.kernels;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kernel sources packed in this module, one file per op family, plus the headers they include.
 * {@link #load(String)} returns a file with its {@code #include "x.h"} lines replaced by the
 * headers' text (each header once), ready to hand to an OpenCL compiler, which cannot read
 * class-path resources; {@link #hash(String)} fingerprints that text for binary caches.
 */
public final class KernelSources {
    /** Resource folder of the sources. */
    public static final String ROOT = "/dev/ember/kernels/";

    /** The kernel files (without {@code .cl}), one per op family. */
    public static final List<String> FAMILIES = List.of("gemm", "elementwise", "reduce", "losses", "dropout",
            "optim", "batchnorm", "roofline");

    private static final Pattern INCLUDE = Pattern.compile("(?m)^\\s*#\\s*include\\s+\"([^\"]+)\"\\s*$");

    private KernelSources() {
    }

    /** Raw text of one resource file, e.g. {@code gemm.cl} or {@code ember_common.h}. */
    public static String raw(String file) {
        try (InputStream in = KernelSources.class.getResourceAsStream(ROOT + file)) {
            if (in == null) {
                throw new IllegalArgumentException("kernel source " + file + " not found under " + ROOT
                        + " (families: " + FAMILIES + ")");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("reading kernel source " + file, e);
        }
    }

    /** Family {@code name} (e.g. "gemm" or "gemm.cl") with its includes expanded. */
    public static String load(String name) {
        String file = name.contains(".") ? name : name + ".cl";
        return expand(file, raw(file), new HashSet<>());
    }

    /** Expands {@code #include "x"} lines of {@code text} (read from {@code file}) recursively, each header once. */
    public static String expand(String file, String text, Set<String> seen) {
        Matcher m = INCLUDE.matcher(text);
        StringBuilder out = new StringBuilder();
        int last = 0;
        while (m.find()) {
            out.append(text, last, m.start());
            String inc = m.group(1);
            if (seen.add(inc)) {
                out.append("/* ---- begin ").append(inc).append(" (included from ").append(file).append(") ---- */\n");
                out.append(expand(inc, raw(inc), seen));
                out.append("\n/* ---- end ").append(inc).append(" ---- */");
            }
            last = m.end();
        }
        out.append(text, last, text.length());
        return out.toString();
    }

    /** SHA-256 (hex) of the expanded source of family {@code name}. */
    public static String hash(String name) {
        return sha256(load(name));
    }

    /** SHA-256 (hex) of a string's UTF-8 bytes. */
    public static String sha256(String text) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from this JVM", e);
        }
    }
}
