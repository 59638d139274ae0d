package dev.ember.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Device names: the accepted spellings, and messages that say what was asked for and where it came from. */
class DevicesTest {

    @Test
    void cpuAcceptsTheIndexedSpelling() {
        assertSame(Devices.cpu(), Devices.get("cpu:0"));
        assertSame(Devices.cpu(), Devices.get(" CPU "));
    }

    /** A refused setting reads as the one-line message the command line prints, without a Java type. */
    @Test
    void aProbeRefusingASettingGivesItsMessageAlone() {
        String why = "ember.cpu.threads / EMBER_CPU_THREADS must be a positive integer, got 'abc'";
        assertEquals("probe failed: " + why, Devices.probeFailure(new IllegalArgumentException(why)));
        assertEquals("probe failed: java.lang.UnsatisfiedLinkError: no lib",
                Devices.probeFailure(new UnsatisfiedLinkError("no lib")));
        assertEquals("probe failed: java.lang.IllegalArgumentException",
                Devices.probeFailure(new IllegalArgumentException()));
    }

    /** The devices of Devices are shared by the JVM: one user's close() must not break another's tensors. */
    @Test
    void closingASharedDeviceDoesNothing() {
        Device cpu = Devices.get("cpu");
        try (Tensor t = cpu.fromArray(new float[] {1, 2, 3}, 3)) {
            try (Device mine = Devices.get("cpu")) {
                assertSame(cpu, mine);
            } // a library's try-with-resources
            assertFalse(cpu.isClosed());
            assertArrayEquals(new float[] {1, 2, 3}, t.toArray());
            assertSame(cpu, Devices.get("cpu"));
        }
    }

    @Test
    void nullOrBlankNamesAreRefusedWithTheExpectedForms() {
        for (String name : new String[] {null, "", "   "}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Devices.get(name));
            assertTrue(e.getMessage().contains("cpu, opencl[:i] or cuda[:i]"), e.getMessage());
            String what = name == null ? "device name is null" : "device name is empty";
            assertTrue(e.getMessage().startsWith(what), e.getMessage());
        }
    }

    @Test
    void aBadForcedDeviceNamesTheSettingItCameFrom() {
        String before = System.getProperty("ember.device");
        System.setProperty("ember.device", "opencl:97");
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, Devices::best);
            assertTrue(e.getMessage().startsWith("-Dember.device=opencl:97: "), e.getMessage());
            assertTrue(e.getMessage().contains("unavailable"), e.getMessage());
        } finally {
            if (before == null) {
                System.clearProperty("ember.device");
            } else {
                System.setProperty("ember.device", before);
            }
        }
    }
}
