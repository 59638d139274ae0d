package dev.ember.runtime.cuda;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

/**
 * Two page-locked host buffers through which host arrays move to and from the device. Pinned
 * memory lets the copy engines run at full speed and asynchronously; two slots let the CPU fill
 * (or drain) one while the other is in flight. An upload returns once its data sits in pinned
 * memory (the copy itself is queued on the stream); a download waits for its data.
 * Not thread-safe: the backend calls it under its lock.
 */
final class PinnedStaging implements AutoCloseable {
    /** Bytes per slot. */
    static final int SLOT_BYTES = 4 << 20;
    private static final int SLOT_FLOATS = SLOT_BYTES / Float.BYTES;

    private final Pointer[] host = new Pointer[2];
    private final FloatBuffer[] view = new FloatBuffer[2];
    private final CUevent[] done = new CUevent[2];
    private final boolean[] pending = new boolean[2];
    private int next;

    private void ensure() {
        if (done[1] != null) {
            return;
        }
        close(); // a previous attempt may have failed half-way
        for (int s = 0; s < 2; s++) {
            Pointer p = new Pointer();
            CudaDriver.check("pinned staging", "cuMemAllocHost(" + SLOT_BYTES + ")", JCudaDriver.cuMemAllocHost(p, SLOT_BYTES));
            host[s] = p;
            view[s] = p.getByteBuffer(0, SLOT_BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
            CUevent ev = new CUevent();
            CudaDriver.check("pinned staging", "cuEventCreate",
                    JCudaDriver.cuEventCreate(ev, CUevent_flags.CU_EVENT_DISABLE_TIMING));
            done[s] = ev; // set last: done[1] != null means both slots are ready
        }
    }

    /** Waits until the copy last queued from or into slot s has finished. */
    private void await(int s) {
        if (pending[s]) {
            CudaDriver.check("pinned staging", "cuEventSynchronize", JCudaDriver.cuEventSynchronize(done[s]));
            pending[s] = false;
        }
    }

    /** Queues src[off, off + len) to dst (a device address); returns when src may be reused. */
    void upload(float[] src, int off, CUdeviceptr dst, int len, CUstream stream) {
        ensure();
        for (int done0 = 0; done0 < len; ) {
            int n = Math.min(SLOT_FLOATS, len - done0);
            int s = next;
            next ^= 1;
            await(s);
            view[s].clear();
            view[s].put(src, off + done0, n);
            CudaDriver.check("upload", "cuMemcpyHtoDAsync",
                    JCudaDriver.cuMemcpyHtoDAsync(dst.withByteOffset((long) done0 * Float.BYTES), host[s],
                            (long) n * Float.BYTES, stream));
            CudaDriver.check("upload", "cuEventRecord", JCudaDriver.cuEventRecord(done[s], stream));
            pending[s] = true;
            done0 += n;
        }
    }

    /** Copies len floats from src (a device address) into dst[off, ...), after all earlier work on the stream. */
    void download(CUdeviceptr src, float[] dst, int off, int len, CUstream stream) {
        ensure();
        int prevSlot = -1, prevAt = 0, prevLen = 0;
        for (int at = 0; at < len; ) {
            int n = Math.min(SLOT_FLOATS, len - at);
            int s = next;
            next ^= 1;
            await(s);
            CudaDriver.check("download", "cuMemcpyDtoHAsync",
                    JCudaDriver.cuMemcpyDtoHAsync(host[s], src.withByteOffset((long) at * Float.BYTES),
                            (long) n * Float.BYTES, stream));
            CudaDriver.check("download", "cuEventRecord", JCudaDriver.cuEventRecord(done[s], stream));
            pending[s] = true;
            if (prevSlot >= 0) {
                drain(prevSlot, dst, off + prevAt, prevLen);
            }
            prevSlot = s;
            prevAt = at;
            prevLen = n;
            at += n;
        }
        if (prevSlot >= 0) {
            drain(prevSlot, dst, off + prevAt, prevLen);
        }
    }

    private void drain(int s, float[] dst, int off, int n) {
        await(s);
        view[s].clear();
        view[s].get(dst, off, n);
    }

    @Override
    public void close() {
        for (int s = 0; s < 2; s++) { // best effort: called when the device closes
            if (done[s] != null) {
                JCudaDriver.cuEventSynchronize(done[s]);
                JCudaDriver.cuEventDestroy(done[s]);
                done[s] = null;
            }
            if (host[s] != null) {
                JCudaDriver.cuMemFreeHost(host[s]);
                host[s] = null;
                view[s] = null;
            }
            pending[s] = false;
        }
    }
}
