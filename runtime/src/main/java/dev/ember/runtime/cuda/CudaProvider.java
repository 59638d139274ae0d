package dev.ember.runtime.cuda;

import dev.ember.runtime.Backend;
import dev.ember.runtime.BackendProvider;
import dev.ember.runtime.DeviceInfo;
import java.util.List;

/**
 * The CUDA devices (kind {@code cuda}), driven through JCuda's driver API with the PTX and cubins
 * packed in ember-kernels: only an NVIDIA driver is needed at run time (no toolkit, no NVRTC).
 * This class touches no JCuda type itself: discovery runs behind a catch of Throwable, so a
 * missing driver, missing natives or a too-old driver yield an unavailable device with the reason.
 */
public final class CudaProvider implements BackendProvider {
    /** Why JCuda or the driver could not load; kept because a second attempt only sees NoClassDefFoundError. */
    private static volatile String failure;

    @Override
    public String kind() {
        return "cuda";
    }

    @Override
    public List<DeviceInfo> probe() {
        String known = failure;
        if (known != null) {
            return List.of(DeviceInfo.unavailable("cuda", "cuda", known));
        }
        try {
            return CudaDriver.discover().devices();
        } catch (Throwable t) {
            failure = CudaErrors.loadFailure(t);
            return List.of(DeviceInfo.unavailable("cuda", "cuda", failure));
        }
    }

    @Override
    public Backend open(int index) {
        List<DeviceInfo> devices = probe();
        String name = "cuda:" + index;
        for (DeviceInfo d : devices) {
            if (d.name().equals(name)) {
                if (!d.available()) {
                    throw new IllegalArgumentException("device " + name + " is unavailable: " + d.reason());
                }
                CudaDriver.Gpu gpu = CudaDriver.discover().gpus().get(index);
                return new CudaBackend(gpu, CudaDriver.discover().driverApi());
            }
        }
        throw new IllegalArgumentException("no CUDA device " + name + " (found: " + devices + ")");
    }
}
