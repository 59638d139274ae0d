package dev.ember.runtime;

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

    @Test
    void nullOrBlankNamesAreRefusedWithTheExpectedForms() {
        for (String name : new String[] {null, "", "   "}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Devices.get(name));
            assertTrue(e.getMessage().contains("cpu, opencl[:i] or cuda[:i]"), e.getMessage());
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
