package dev.ember.benchmarks;

import java.util.List;
import java.util.Map;

/**
 * One op of the suite as the runner sees it: which JMH benchmark method measures it, which
 * parameter carries its size, fixed parameters that select it (e.g. {@code optimizer=adam}),
 * whether it has the resident/with_transfers mode, whether its rate is FLOP/s or B/s, and the
 * sizes and modes of the quick and full selections (no quick sizes: not in the quick run).
 *
 * @param method the benchmark method, or null for every method of the class
 */
public record OpSpec(String name, String benchClass, String method, Sizes.Kind kind, String sizeParam,
                     Map<String, String> fixed, boolean hasMode, boolean flopMetric, List<String> quickSizes,
                     List<String> quickModes, List<String> fullSizes) {

    /** JMH include pattern matching exactly this op's benchmark method(s). */
    public String includePattern() {
        String cls = benchClass.replace(".", "\\.");
        return "^" + cls + "\\." + (method == null ? "[A-Za-z0-9_]+" : method) + "$";
    }

    /** Whether this spec describes the JMH result of {@code benchmark} (class.method) with {@code params}. */
    public boolean matches(String benchmark, Map<String, String> params) {
        int dot = benchmark.lastIndexOf('.');
        if (dot < 0 || !benchmark.substring(0, dot).equals(benchClass)) {
            return false;
        }
        if (method != null && !benchmark.substring(dot + 1).equals(method)) {
            return false;
        }
        for (Map.Entry<String, String> e : fixed.entrySet()) {
            if (!e.getValue().equals(params.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    public boolean inQuick() {
        return !quickSizes.isEmpty();
    }
}
