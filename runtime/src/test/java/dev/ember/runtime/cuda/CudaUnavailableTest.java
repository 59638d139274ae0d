package dev.ember.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.runtime.DeviceInfo;
import dev.ember.runtime.Devices;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Where there is no usable NVIDIA GPU (this CI), CUDA is listed unavailable with a one-line reason,
 * opening it raises IllegalArgumentException with that reason, and nothing crashes or throws at
 * discovery. Where a GPU is present, discovery lists it as available instead.
 */
class CudaUnavailableTest {

    private static boolean libcudaPresent() {
        for (String dir : List.of("/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib", "/lib/x86_64-linux-gnu",
                "/usr/local/nvidia/lib64", "/usr/lib/wsl/lib")) {
            if (Files.exists(Path.of(dir, "libcuda.so.1"))) {
                return true;
            }
        }
        return false;
    }

    @Test
    void discoveryNeverThrowsAndGivesAReadableReason() {
        List<DeviceInfo> all = Devices.list();
        List<DeviceInfo> cuda = all.stream().filter(d -> d.kind().equals("cuda")).toList();
        assertFalse(cuda.isEmpty(), "cuda must appear in the device list, available or not: " + all);
        Assumptions.assumeTrue(cuda.stream().noneMatch(DeviceInfo::available), "a CUDA GPU is present: " + cuda);
        DeviceInfo d = cuda.getFirst();
        String why = d.reason();
        assertFalse(why.isBlank());
        assertFalse(why.contains("\n"), "one line: " + why);
        assertFalse(why.contains("\tat "), "no stack trace: " + why);
        if (!libcudaPresent()) {
            assertTrue(why.contains("libcuda.so.1"), why);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Devices.get("cuda"));
        assertTrue(e.getMessage().contains(why), e.getMessage());
        assertEquals(why, new CudaProvider().probe().getFirst().reason(), "a second probe gives the same reason");
        assertTrue(Devices.best() != null, "best() falls back without CUDA");
    }

    @Test
    void providerOpenRefusesAnUnavailableDevice() {
        Assumptions.assumeTrue(new CudaProvider().probe().stream().noneMatch(DeviceInfo::available), "a CUDA GPU is present");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new CudaProvider().open(0));
        assertTrue(e.getMessage().contains("unavailable") || e.getMessage().contains("no CUDA device"), e.getMessage());
    }
}
