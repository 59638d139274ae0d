package dev.ember.runtime.opencl;

import static org.lwjgl.opencl.CL10.*;

import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;

/** Small helpers over LWJGL's OpenCL bindings: error checking and info queries. */
final class Cl {
    private Cl() {
    }

    /** Throws {@link OpenClException} naming {@code what} when {@code err} is not CL_SUCCESS. */
    static void check(int err, String what) {
        if (err != CL_SUCCESS) {
            throw new OpenClException(what + " failed: CL error " + err + " (" + errorName(err) + ")", err);
        }
    }

    static void check(IntBuffer err, String what) {
        check(err.get(0), what);
    }

    static String errorName(int err) {
        return switch (err) {
            case 0 -> "SUCCESS";
            case -1 -> "DEVICE_NOT_FOUND";
            case -2 -> "DEVICE_NOT_AVAILABLE";
            case -3 -> "COMPILER_NOT_AVAILABLE";
            case -4 -> "MEM_OBJECT_ALLOCATION_FAILURE";
            case -5 -> "OUT_OF_RESOURCES";
            case -6 -> "OUT_OF_HOST_MEMORY";
            case -11 -> "BUILD_PROGRAM_FAILURE";
            case -30 -> "INVALID_VALUE";
            case -33 -> "INVALID_DEVICE";
            case -34 -> "INVALID_CONTEXT";
            case -36 -> "INVALID_COMMAND_QUEUE";
            case -38 -> "INVALID_MEM_OBJECT";
            case -42 -> "INVALID_BINARY";
            case -44 -> "INVALID_PROGRAM";
            case -45 -> "INVALID_PROGRAM_EXECUTABLE";
            case -46 -> "INVALID_KERNEL_NAME";
            case -48 -> "INVALID_KERNEL";
            case -49 -> "INVALID_ARG_INDEX";
            case -50 -> "INVALID_ARG_VALUE";
            case -51 -> "INVALID_ARG_SIZE";
            case -52 -> "INVALID_KERNEL_ARGS";
            case -54 -> "INVALID_WORK_GROUP_SIZE";
            case -55 -> "INVALID_WORK_ITEM_SIZE";
            case -61 -> "INVALID_BUFFER_SIZE";
            case -63 -> "INVALID_GLOBAL_WORK_SIZE";
            case -1001 -> "PLATFORM_NOT_FOUND_KHR";
            default -> "unknown";
        };
    }

    static String platformString(long platform, int param) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer size = stack.mallocPointer(1);
            check(clGetPlatformInfo(platform, param, (ByteBuffer) null, size), "clGetPlatformInfo");
            ByteBuffer buf = MemoryUtil.memAlloc((int) size.get(0));
            try {
                check(clGetPlatformInfo(platform, param, buf, null), "clGetPlatformInfo");
                return MemoryUtil.memUTF8(buf, Math.max(0, (int) size.get(0) - 1)).trim();
            } finally {
                MemoryUtil.memFree(buf);
            }
        }
    }

    static String deviceString(long device, int param) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer size = stack.mallocPointer(1);
            check(clGetDeviceInfo(device, param, (ByteBuffer) null, size), "clGetDeviceInfo");
            ByteBuffer buf = MemoryUtil.memAlloc((int) size.get(0));
            try {
                check(clGetDeviceInfo(device, param, buf, null), "clGetDeviceInfo");
                return MemoryUtil.memUTF8(buf, Math.max(0, (int) size.get(0) - 1)).trim();
            } finally {
                MemoryUtil.memFree(buf);
            }
        }
    }

    static long deviceLong(long device, int param) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            ByteBuffer buf = stack.calloc(8);
            PointerBuffer size = stack.mallocPointer(1);
            check(clGetDeviceInfo(device, param, buf, size), "clGetDeviceInfo");
            return size.get(0) >= 8 ? buf.getLong(0) : buf.getInt(0) & 0xFFFFFFFFL;
        }
    }

    /** size_t-valued device info. */
    static long devicePointer(long device, int param) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer buf = stack.callocPointer(1);
            check(clGetDeviceInfo(device, param, buf, null), "clGetDeviceInfo");
            return buf.get(0);
        }
    }
}
