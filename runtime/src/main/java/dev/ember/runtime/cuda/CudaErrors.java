package dev.ember.runtime.cuda;

import java.util.Map;

/**
 * CUresult codes translated into readable reasons, and the driver requirement of the packed
 * kernels. Pure Java (no JCuda class is touched), so it works where the natives do not load.
 */
public final class CudaErrors {
    /** The CUDA toolkit the packed PTX and cubins were built with. */
    public static final String BUILT_WITH_CUDA = "13.0";
    /** {@code cuDriverGetVersion} value of the oldest driver API that loads the packed kernels (CUDA 13.0). */
    public static final int MIN_DRIVER_API_VERSION = 13000;
    /** The oldest NVIDIA driver branch that supports CUDA 13.0 (and so PTX ISA 9.0 and the packed cubins). */
    public static final int MIN_DRIVER_VERSION = 580;
    /** One sentence for error messages and the README. */
    public static final String DRIVER_REQUIREMENT = "Ember's CUDA kernels are built with CUDA " + BUILT_WITH_CUDA
            + " and need an NVIDIA driver of version " + MIN_DRIVER_VERSION + " or newer";

    public static final int CUDA_SUCCESS = 0;
    public static final int CUDA_ERROR_INVALID_VALUE = 1;
    public static final int CUDA_ERROR_OUT_OF_MEMORY = 2;
    public static final int CUDA_ERROR_NOT_INITIALIZED = 3;
    public static final int CUDA_ERROR_STUB_LIBRARY = 34;
    public static final int CUDA_ERROR_INSUFFICIENT_DRIVER = 35;
    public static final int CUDA_ERROR_NO_DEVICE = 100;
    public static final int CUDA_ERROR_INVALID_DEVICE = 101;
    public static final int CUDA_ERROR_INVALID_IMAGE = 200;
    public static final int CUDA_ERROR_NO_BINARY_FOR_GPU = 209;
    public static final int CUDA_ERROR_INVALID_PTX = 218;
    public static final int CUDA_ERROR_UNSUPPORTED_PTX_VERSION = 222;
    public static final int CUDA_ERROR_JIT_COMPILER_NOT_FOUND = 221;
    public static final int CUDA_ERROR_NOT_FOUND = 500;
    public static final int CUDA_ERROR_ILLEGAL_ADDRESS = 700;
    public static final int CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES = 701;
    public static final int CUDA_ERROR_LAUNCH_TIMEOUT = 702;
    public static final int CUDA_ERROR_HARDWARE_STACK_ERROR = 714;
    public static final int CUDA_ERROR_ILLEGAL_INSTRUCTION = 715;
    public static final int CUDA_ERROR_MISALIGNED_ADDRESS = 716;
    public static final int CUDA_ERROR_INVALID_ADDRESS_SPACE = 717;
    public static final int CUDA_ERROR_INVALID_PC = 718;
    public static final int CUDA_ERROR_LAUNCH_FAILED = 719;
    public static final int CUDA_ERROR_COOPERATIVE_LAUNCH_TOO_LARGE = 720;
    public static final int CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED = 900;
    public static final int CUDA_ERROR_STREAM_CAPTURE_INVALIDATED = 901;
    public static final int CUDA_ERROR_SYSTEM_DRIVER_MISMATCH = 803;
    public static final int CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE = 804;

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(CUDA_SUCCESS, "CUDA_SUCCESS"),
            Map.entry(CUDA_ERROR_INVALID_VALUE, "CUDA_ERROR_INVALID_VALUE"),
            Map.entry(CUDA_ERROR_OUT_OF_MEMORY, "CUDA_ERROR_OUT_OF_MEMORY"),
            Map.entry(CUDA_ERROR_NOT_INITIALIZED, "CUDA_ERROR_NOT_INITIALIZED"),
            Map.entry(CUDA_ERROR_STUB_LIBRARY, "CUDA_ERROR_STUB_LIBRARY"),
            Map.entry(CUDA_ERROR_INSUFFICIENT_DRIVER, "CUDA_ERROR_INSUFFICIENT_DRIVER"),
            Map.entry(CUDA_ERROR_NO_DEVICE, "CUDA_ERROR_NO_DEVICE"),
            Map.entry(CUDA_ERROR_INVALID_DEVICE, "CUDA_ERROR_INVALID_DEVICE"),
            Map.entry(CUDA_ERROR_INVALID_IMAGE, "CUDA_ERROR_INVALID_IMAGE"),
            Map.entry(CUDA_ERROR_NO_BINARY_FOR_GPU, "CUDA_ERROR_NO_BINARY_FOR_GPU"),
            Map.entry(CUDA_ERROR_INVALID_PTX, "CUDA_ERROR_INVALID_PTX"),
            Map.entry(CUDA_ERROR_JIT_COMPILER_NOT_FOUND, "CUDA_ERROR_JIT_COMPILER_NOT_FOUND"),
            Map.entry(CUDA_ERROR_UNSUPPORTED_PTX_VERSION, "CUDA_ERROR_UNSUPPORTED_PTX_VERSION"),
            Map.entry(CUDA_ERROR_NOT_FOUND, "CUDA_ERROR_NOT_FOUND"),
            Map.entry(CUDA_ERROR_ILLEGAL_ADDRESS, "CUDA_ERROR_ILLEGAL_ADDRESS"),
            Map.entry(CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES, "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES"),
            Map.entry(CUDA_ERROR_LAUNCH_TIMEOUT, "CUDA_ERROR_LAUNCH_TIMEOUT"),
            Map.entry(CUDA_ERROR_HARDWARE_STACK_ERROR, "CUDA_ERROR_HARDWARE_STACK_ERROR"),
            Map.entry(CUDA_ERROR_ILLEGAL_INSTRUCTION, "CUDA_ERROR_ILLEGAL_INSTRUCTION"),
            Map.entry(CUDA_ERROR_MISALIGNED_ADDRESS, "CUDA_ERROR_MISALIGNED_ADDRESS"),
            Map.entry(CUDA_ERROR_INVALID_ADDRESS_SPACE, "CUDA_ERROR_INVALID_ADDRESS_SPACE"),
            Map.entry(CUDA_ERROR_INVALID_PC, "CUDA_ERROR_INVALID_PC"),
            Map.entry(CUDA_ERROR_LAUNCH_FAILED, "CUDA_ERROR_LAUNCH_FAILED"),
            Map.entry(CUDA_ERROR_COOPERATIVE_LAUNCH_TOO_LARGE, "CUDA_ERROR_COOPERATIVE_LAUNCH_TOO_LARGE"),
            Map.entry(CUDA_ERROR_SYSTEM_DRIVER_MISMATCH, "CUDA_ERROR_SYSTEM_DRIVER_MISMATCH"),
            Map.entry(CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE, "CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE"),
            Map.entry(CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, "CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED"),
            Map.entry(CUDA_ERROR_STREAM_CAPTURE_INVALIDATED, "CUDA_ERROR_STREAM_CAPTURE_INVALIDATED"));

    private CudaErrors() {
    }

    /** The CUresult's symbolic name, e.g. {@code CUDA_ERROR_NO_DEVICE}, or {@code CUresult 123}. */
    public static String name(int code) {
        String n = NAMES.get(code);
        return n != null ? n : "CUresult " + code;
    }

    /** A readable explanation of the code, with what to do about it where that is known. */
    public static String explain(int code) {
        return switch (code) {
            case CUDA_ERROR_NO_DEVICE -> "no CUDA-capable GPU is visible (check nvidia-smi and CUDA_VISIBLE_DEVICES)";
            case CUDA_ERROR_INSUFFICIENT_DRIVER, CUDA_ERROR_UNSUPPORTED_PTX_VERSION ->
                    "the installed NVIDIA driver is too old: " + DRIVER_REQUIREMENT;
            case CUDA_ERROR_STUB_LIBRARY -> "libcuda.so.1 is the toolkit's stub library, not a real driver";
            case CUDA_ERROR_SYSTEM_DRIVER_MISMATCH ->
                    "the user-space driver (libcuda) and the kernel module versions differ (reboot or reinstall the driver)";
            case CUDA_ERROR_NO_BINARY_FOR_GPU -> "no kernel image for this GPU's architecture";
            case CUDA_ERROR_OUT_OF_MEMORY -> "out of device memory";
            case CUDA_ERROR_NOT_INITIALIZED -> "the CUDA driver is not initialised";
            case CUDA_ERROR_ILLEGAL_ADDRESS -> "a kernel accessed an illegal address" + STICKY;
            case CUDA_ERROR_LAUNCH_FAILED -> "a kernel failed" + STICKY;
            case CUDA_ERROR_HARDWARE_STACK_ERROR -> "a kernel overflowed its call stack" + STICKY;
            case CUDA_ERROR_ILLEGAL_INSTRUCTION -> "a kernel executed an illegal instruction" + STICKY;
            case CUDA_ERROR_MISALIGNED_ADDRESS -> "a kernel accessed a misaligned address" + STICKY;
            case CUDA_ERROR_INVALID_ADDRESS_SPACE -> "a kernel used an address in the wrong memory space" + STICKY;
            case CUDA_ERROR_INVALID_PC -> "a kernel jumped to an invalid program counter" + STICKY;
            case CUDA_ERROR_LAUNCH_TIMEOUT ->
                    "a kernel ran longer than the display watchdog allows (a GPU that also drives a display)" + STICKY;
            case CUDA_ERROR_COOPERATIVE_LAUNCH_TOO_LARGE -> "a cooperative launch asked for more blocks than fit at once";
            case CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, CUDA_ERROR_STREAM_CAPTURE_INVALIDATED ->
                    "the operation is not allowed while a CUDA graph is being captured";
            default -> name(code);
        };
    }

    /**
     * Errors that kill the context: kernels run asynchronously, so the op that reports one is often
     * not the one that caused it.
     */
    private static final String STICKY = " (the context is now unusable; run with -Dember.cuda.sync=true, which"
            + " waits after every op, to find the op that caused it)";

    /** "name: explanation" for an exception message. */
    public static String describe(int code) {
        String n = name(code);
        String e = explain(code);
        return e.equals(n) ? n : n + ": " + e;
    }

    /** "12.4" for 12040. */
    public static String apiVersion(int driverApi) {
        return driverApi / 1000 + "." + (driverApi % 1000) / 10;
    }

    /** Null when the driver API version can run the packed kernels, else the reason it cannot. */
    public static String driverTooOld(int driverApi) {
        if (driverApi >= MIN_DRIVER_API_VERSION) {
            return null;
        }
        return "the NVIDIA driver supports CUDA " + apiVersion(driverApi) + " only; " + DRIVER_REQUIREMENT
                + " (CUDA " + BUILT_WITH_CUDA + ")";
    }

    /** Readable reason for a Throwable thrown while loading JCuda's natives or calling the driver. */
    public static String loadFailure(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String msg = String.valueOf(root.getMessage());
        if (root instanceof UnsatisfiedLinkError || root instanceof NoClassDefFoundError
                || t instanceof ExceptionInInitializerError || t instanceof NoClassDefFoundError) {
            if (msg.contains("libcuda")) {
                return "the NVIDIA driver library libcuda.so.1 could not be loaded (is an NVIDIA driver installed?): "
                        + lineAbout(msg, "libcuda");
            }
            java.util.regex.Matcher missing = java.util.regex.Pattern
                    .compile("([\\w.+-]+\\.so[\\w.]*): cannot open shared object file[^\\n]*").matcher(msg);
            if (missing.find()) {
                return "a native library JCuda needs is missing: " + missing.group().strip();
            }
            if (root instanceof NoClassDefFoundError && msg.contains("jcuda")) {
                return "JCuda is not on the class path (" + firstLine(msg) + ")";
            }
            return "the JCuda native library could not be loaded: " + root.getClass().getSimpleName() + ": "
                    + firstLine(msg);
        }
        return root.getClass().getSimpleName() + ": " + firstLine(msg);
    }

    /** The first line of s mentioning word, from the word on (drops the temp-file path before it). */
    private static String lineAbout(String s, String word) {
        for (String line : s.split("\n")) {
            int at = line.indexOf(word);
            if (at >= 0) {
                return line.substring(at).strip();
            }
        }
        return firstLine(s);
    }

    private static String firstLine(String s) {
        String t = s.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl).strip();
    }
}
