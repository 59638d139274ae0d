package dev.ember.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Native backends must not leave the JVM's signal handlers replaced (PoCL's LLVM does replace them). */
class SignalHandlersTest {
    private static final int SIGTRAP = 5;

    /** A handler replaced inside the guard is put back, and the guard names the signal. */
    @Test
    void aHandlerReplacedDuringInitIsRestored() {
        assumeTrue(SignalHandlers.active(), "needs Linux, native access and no libjsig preload");
        long before = SignalHandlers.handlerAddress(SIGTRAP);
        long other = before == 1 ? 0 : 1; // SIG_IGN or SIG_DFL, whichever it is not
        String restored = SignalHandlers.restoreAfter(() -> {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment act = arena.allocate(256);
                act.set(ValueLayout.JAVA_LONG, 0, other);
                SignalHandlers.sigaction(SIGTRAP, act, MemorySegment.NULL);
            }
            assertEquals(other, SignalHandlers.handlerAddress(SIGTRAP), "the test did replace the handler");
        });
        assertEquals("SIGTRAP", restored);
        assertEquals(before, SignalHandlers.handlerAddress(SIGTRAP));
        assertEquals(null, SignalHandlers.restoreAfter(() -> { }), "nothing changed, nothing reported");
        // An init that replaces a handler and then fails still leaves the JVM's handler in place.
        IllegalStateException boom = new IllegalStateException("open failed");
        IllegalStateException thrown = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> SignalHandlers.restoreAfter(() -> {
                    try (Arena arena = Arena.ofConfined()) {
                        MemorySegment act = arena.allocate(256);
                        act.set(ValueLayout.JAVA_LONG, 0, other);
                        SignalHandlers.sigaction(SIGTRAP, act, MemorySegment.NULL);
                    }
                    throw boom;
                }));
        assertEquals(boom, thrown);
        assertEquals(before, SignalHandlers.handlerAddress(SIGTRAP));
    }

    /**
     * A fresh JVM lists every device (initialising PoCL when it is installed), then takes many
     * implicit-null-check and GC safepoint faults, which the JVM handles through SIGSEGV. Before the
     * guard this died with "Segmentation fault" (exit 139) once PoCL had replaced the handler.
     * The child then checks that SIGSEGV and SIGINT still have the handlers they had before.
     */
    @Test
    void jvmSurvivesFaultsAfterListingDevices() throws IOException, InterruptedException {
        assumeTrue(SignalHandlers.active(), "needs Linux, native access and no libjsig preload");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> cmd = new ArrayList<>(List.of(java.toString(), "-XX:+UseParallelGC", "-Xmx256m",
                "--enable-native-access=ALL-UNNAMED", "-cp", childClassPath(), Child.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("LD_PRELOAD");
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertFalse(!p.waitFor(120, TimeUnit.SECONDS), "child JVM did not finish");
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "child JVM exit code; output:\n" + text);
        assertNotEquals(-1, text.indexOf("faults survived"), text);
    }

    /**
     * The JVM's class path plus where this test and the runtime were loaded from: under a launcher
     * that loads tests through its own class loader (the JUnit console in the GPU check bundle),
     * java.class.path holds only the launcher.
     */
    static String childClassPath() throws IOException {
        Set<String> parts = new LinkedHashSet<>(List.of(System.getProperty("java.class.path").split(File.pathSeparator)));
        for (Class<?> c : List.of(SignalHandlersTest.class, Devices.class)) {
            try {
                parts.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
            } catch (java.net.URISyntaxException | NullPointerException e) {
                throw new IOException("cannot locate the classes of " + c.getName(), e);
            }
        }
        return String.join(File.pathSeparator, parts);
    }

    /** The child: list devices, then fault through implicit null checks and GCs for a while. */
    public static final class Child {
        static Object maybeNull;

        public static void main(String[] args) {
            long segv = SignalHandlers.handlerAddress(11), sigint = SignalHandlers.handlerAddress(2);
            System.out.println(Devices.list().size() + " devices listed; restored: " + SignalHandlers.lastRestored());
            if (SignalHandlers.handlerAddress(11) != segv || SignalHandlers.handlerAddress(2) != sigint) {
                System.out.println("SIGSEGV or SIGINT handler left replaced");
                System.exit(3);
            }
            long npes = 0;
            List<float[]> keep = new ArrayList<>();
            for (int round = 0; round < 200; round++) {
                for (int i = 0; i < 20_000; i++) {
                    try {
                        maybeNull.hashCode(); // compiled code turns this into a SIGSEGV-based implicit null check
                    } catch (NullPointerException e) {
                        npes++;
                    }
                }
                keep.add(new float[1 << 16]);
                if (keep.size() > 64) {
                    keep.clear();
                    System.gc();
                }
            }
            System.out.println(npes + " faults survived");
        }
    }
}
