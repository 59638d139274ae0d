package dev.ember.runtime.cuda;

/**
 * Device memory ran out even after the allocator released its cache and retried: the message
 * gives the request and the allocator's live, peak and reserved bytes (and the device's free and
 * total memory where known).
 */
public final class CudaOutOfMemoryException extends CudaException {
    private final long requested;
    private final long live;
    private final long peak;

    public CudaOutOfMemoryException(String device, long requested, long live, long peak, long reserved, long[] freeTotal) {
        super(device + " out of memory allocating " + bytes(requested) + " (after emptying the cache and"
                + " retrying): live " + bytes(live) + ", peak " + bytes(peak) + ", reserved " + bytes(reserved)
                + (freeTotal == null ? "" : ", device free " + bytes(freeTotal[0]) + " of " + bytes(freeTotal[1])),
                CudaErrors.CUDA_ERROR_OUT_OF_MEMORY);
        this.requested = requested;
        this.live = live;
        this.peak = peak;
    }

    public long requestedBytes() {
        return requested;
    }

    public long liveBytes() {
        return live;
    }

    public long peakBytes() {
        return peak;
    }

    static String bytes(long b) {
        if (b < 1024) {
            return b + " B";
        }
        if (b < 1L << 20) {
            return String.format(java.util.Locale.ROOT, "%.1f KiB (%d bytes)", b / 1024.0, b);
        }
        if (b < 1L << 30) {
            return String.format(java.util.Locale.ROOT, "%.1f MiB (%d bytes)", b / (double) (1L << 20), b);
        }
        return String.format(java.util.Locale.ROOT, "%.2f GiB (%d bytes)", b / (double) (1L << 30), b);
    }
}
