package dev.ember.runtime.cuda;

/** A CUDA driver call failed: the message names the op, the driver call and the translated CUresult. */
public class CudaException extends RuntimeException {
    private final int code;

    public CudaException(String op, String call, int code) {
        super("cuda: " + op + ": " + call + " failed with " + CudaErrors.describe(code));
        this.code = code;
    }

    protected CudaException(String message, int code) {
        super(message);
        this.code = code;
    }

    /** The CUresult code. */
    public int code() {
        return code;
    }
}
