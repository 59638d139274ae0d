package dev.ember.runtime.cuda;

import dev.ember.runtime.DeviceInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.JCudaDriver;

/**
 * The CUDA driver seen through JCuda: initialisation, version check and device discovery. This
 * is the first class to touch JCuda, whose static initialiser loads the native library (and with
 * it libcuda.so.1); {@link CudaProvider} calls it only inside a catch of Throwable, so a machine
 * without a driver gets an unavailable device with the reason, never a crash.
 */
final class CudaDriver {
    /** What one GPU reported at discovery. */
    record Gpu(int index, String name, int major, int minor, int sms, long totalBytes) {
        String describe(int driverApi) {
            return String.format(Locale.ROOT, "%s, sm_%d%d, %d SMs, %.1f GiB, CUDA driver %s", name, major, minor, sms,
                    totalBytes / (double) (1L << 30), CudaErrors.apiVersion(driverApi));
        }
    }

    /** The discovery result: devices (available or not) and the driver API version (0 when unknown). */
    record Discovery(List<DeviceInfo> devices, List<Gpu> gpus, int driverApi) {
    }

    private static Discovery cached;

    private CudaDriver() {
    }

    /** Checks a CUresult, throwing {@link CudaException} naming the op and the call. */
    static void check(String op, String call, int result) {
        if (result != CudaErrors.CUDA_SUCCESS) {
            throw new CudaException(op, call, result);
        }
    }

    /** Initialises the driver once and lists its devices; throws (anything) when JCuda or the driver cannot load. */
    static synchronized Discovery discover() {
        if (cached != null) {
            return cached;
        }
        JCudaDriver.setExceptionsEnabled(false);
        List<DeviceInfo> infos = new ArrayList<>();
        List<Gpu> gpus = new ArrayList<>();
        int rc = JCudaDriver.cuInit(0);
        if (rc != CudaErrors.CUDA_SUCCESS) {
            infos.add(DeviceInfo.unavailable("cuda", "cuda", "cuInit failed with " + CudaErrors.describe(rc)));
            return cached = new Discovery(List.copyOf(infos), List.of(), 0);
        }
        int[] v = new int[1];
        check("probe", "cuDriverGetVersion", JCudaDriver.cuDriverGetVersion(v));
        int driverApi = v[0];
        String tooOld = CudaErrors.driverTooOld(driverApi);
        int[] count = new int[1];
        check("probe", "cuDeviceGetCount", JCudaDriver.cuDeviceGetCount(count));
        if (count[0] == 0) {
            infos.add(DeviceInfo.unavailable("cuda", "cuda", CudaErrors.describe(CudaErrors.CUDA_ERROR_NO_DEVICE)));
        }
        for (int i = 0; i < count[0]; i++) {
            Gpu g = query(i);
            gpus.add(g);
            String name = "cuda:" + i;
            if (tooOld != null) {
                infos.add(DeviceInfo.unavailable(name, "cuda", g.name() + ": " + tooOld));
            } else if (!CudaImages.supported(g.major(), g.minor())) {
                infos.add(DeviceInfo.unavailable(name, "cuda", g.name() + " has compute capability " + g.major() + "."
                        + g.minor() + "; the packed kernels need " + CudaImages.MIN_COMPUTE_CAPABILITY / 10 + "."
                        + CudaImages.MIN_COMPUTE_CAPABILITY % 10 + " or newer"));
            } else {
                infos.add(DeviceInfo.available(name, "cuda", true, g.describe(driverApi)));
            }
        }
        return cached = new Discovery(List.copyOf(infos), List.copyOf(gpus), driverApi);
    }

    private static Gpu query(int index) {
        CUdevice dev = new CUdevice();
        check("probe", "cuDeviceGet(" + index + ")", JCudaDriver.cuDeviceGet(dev, index));
        byte[] name = new byte[256];
        check("probe", "cuDeviceGetName", JCudaDriver.cuDeviceGetName(name, name.length, dev));
        int len = 0;
        while (len < name.length && name[len] != 0) {
            len++;
        }
        long[] total = new long[1];
        check("probe", "cuDeviceTotalMem", JCudaDriver.cuDeviceTotalMem(total, dev));
        return new Gpu(index, new String(name, 0, len, java.nio.charset.StandardCharsets.UTF_8),
                attribute(dev, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR),
                attribute(dev, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR),
                attribute(dev, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT), total[0]);
    }

    static int attribute(CUdevice dev, int attr) {
        int[] v = new int[1];
        check("probe", "cuDeviceGetAttribute(" + attr + ")", JCudaDriver.cuDeviceGetAttribute(v, attr, dev));
        return v[0];
    }
}
