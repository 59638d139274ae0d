package dev.ember.runtime.opencl;

/** An OpenCL call failed: the message names the call, the op, and the CL error code and name. */
public final class OpenClException extends RuntimeException {
    private final int code;

    public OpenClException(String message, int code) {
        super(message);
        this.code = code;
    }

    /** The OpenCL error code (negative), or 0 when the failure was not a CL error (e.g. a build log). */
    public int code() {
        return code;
    }
}
