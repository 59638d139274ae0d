package dev.ember.runtime;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Keeps native backends from taking over the JVM's signal handlers.
 *
 * <p>HotSpot handles SIGSEGV, SIGBUS, SIGFPE and SIGILL itself: implicit null checks and
 * safepoint polls are faults it expects. PoCL's LLVM installs crash handlers for those signals
 * when the OpenCL platform is first queried (and PoCL one for SIGFPE), after which the JVM's next
 * such fault kills the process with a bare "Segmentation fault" and no hs_err file: seen in 2 of
 * 3 runs of a CPU-only GEMM program that had merely listed the devices. HotSpot's remedy is
 * signal chaining, {@code LD_PRELOAD=<java.home>/lib/libjsig.so} (the {@code ./ember} launcher
 * sets it). Without it, {@link Devices} runs each backend's native initialisation under
 * {@link #restoreAfter}: the handlers are read before, compared after, and put back if they
 * changed. LLVM registers its handlers once per process and does not re-check them, so one
 * restore holds. What a native library loses is only its own crash reporting. Public for the
 * backends' own native initialisation (the OpenCL loader's platform query); not for applications.
 */
public final class SignalHandlers {
    /**
     * The signals HotSpot handles, by their numbers on Linux x86-64 and arm64: the faults it expects,
     * plus SIGHUP, SIGINT and SIGTERM (shutdown hooks run from them; LLVM's handler would kill the
     * process without them) and SIGQUIT (thread dumps), all of which LLVM replaces too.
     */
    static final int[] SIGNALS = {1, 2, 3, 4, 5, 7, 8, 11, 12, 13, 15, 25};
    private static final String[] NAMES = {"SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGBUS", "SIGFPE",
        "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGTERM", "SIGXFSZ"};
    /** At least sizeof(struct sigaction): 152 bytes in glibc on x86-64 and arm64. */
    private static final long SIZE = 256;
    private static final MethodHandle SIGACTION = lookup();
    private static volatile String lastRestored;

    private SignalHandlers() {
    }

    private static MethodHandle lookup() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            return null;
        }
        try {
            Linker linker = Linker.nativeLinker();
            return linker.defaultLookup().find("sigaction").map(a -> linker.downcallHandle(a,
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                            ValueLayout.ADDRESS))).orElse(null);
        } catch (Throwable e) {
            return null; // no native access: nothing can be checked, nothing is touched
        }
    }

    /** Whether HotSpot's signal chaining library is preloaded, so native handlers are chained, not installed. */
    static boolean chained() {
        String p = System.getenv("LD_PRELOAD");
        return p != null && p.contains("libjsig");
    }

    /** Whether handlers can be read and restored here (Linux with native access, no libjsig). */
    static boolean active() {
        return SIGACTION != null && !chained();
    }

    /**
     * Runs {@code init}; if it replaced any of the {@link #SIGNALS} handlers, puts the previous ones
     * back. Returns the names of the signals restored, or null when nothing changed (or when
     * {@link #active()} is false and {@code init} simply ran).
     */
    public static String restoreAfter(Runnable init) {
        if (!active()) {
            init.run();
            return null;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment[] before = new MemorySegment[SIGNALS.length];
            for (int i = 0; i < SIGNALS.length; i++) {
                before[i] = arena.allocate(SIZE);
                sigaction(SIGNALS[i], MemorySegment.NULL, before[i]);
            }
            try {
                init.run();
            } catch (RuntimeException | Error e) {
                restore(arena, before); // a failed open may have loaded LLVM before it failed
                throw e;
            }
            return restore(arena, before);
        }
    }

    /** Puts back every handler that differs from {@code before}; returns their names, or null. */
    private static String restore(Arena arena, MemorySegment[] before) {
        MemorySegment now = arena.allocate(SIZE);
        List<String> changed = new ArrayList<>();
        for (int i = 0; i < SIGNALS.length; i++) {
            sigaction(SIGNALS[i], MemorySegment.NULL, now);
            if (!same(now, before[i])) {
                sigaction(SIGNALS[i], before[i], MemorySegment.NULL);
                changed.add(NAMES[i]);
            }
        }
        String what = changed.isEmpty() ? null : String.join(", ", changed);
        if (what != null) {
            lastRestored = what;
        }
        return what;
    }

    /**
     * Compares the fields the kernel keeps: handler (offset 0), the 64 signal bits at the start of
     * sa_mask (8) and sa_flags (136), glibc's layout on x86-64 and arm64. The rest of glibc's
     * 128-byte sa_mask is not written by the kernel and holds whatever glibc's stack held.
     */
    private static boolean same(MemorySegment a, MemorySegment b) {
        return a.get(ValueLayout.JAVA_LONG, 0) == b.get(ValueLayout.JAVA_LONG, 0)
                && a.get(ValueLayout.JAVA_LONG, 8) == b.get(ValueLayout.JAVA_LONG, 8)
                && a.get(ValueLayout.JAVA_INT, 136) == b.get(ValueLayout.JAVA_INT, 136);
    }

    /** The signals the last restoring call put back, or null if none ever needed it. */
    static String lastRestored() {
        return lastRestored;
    }

    /** The raw handler address of {@code signal} (first field of struct sigaction), for tests. */
    static long handlerAddress(int signal) {
        if (SIGACTION == null) {
            throw new IllegalStateException("sigaction is not reachable on this platform");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(SIZE);
            sigaction(signal, MemorySegment.NULL, s);
            return s.get(ValueLayout.JAVA_LONG, 0);
        }
    }

    static void sigaction(int signal, MemorySegment act, MemorySegment old) {
        int rc;
        try {
            rc = (int) SIGACTION.invokeExact(signal, act, old);
        } catch (Throwable e) {
            throw new IllegalStateException("sigaction(" + signal + ") failed: " + e, e);
        }
        if (rc != 0) {
            throw new IllegalStateException("sigaction(" + signal + ") returned " + rc);
        }
    }
}
