package dev.ember.runtime.cuda;

import jcuda.driver.CUgraph;
import jcuda.driver.CUgraphExec;
import jcuda.driver.JCudaDriver;

/**
 * A fixed-shape sequence of ops captured once with {@link CudaBackend#capture(Runnable)} and
 * replayed with one driver call, which removes the per-kernel launch overhead that dominates
 * small models. Replays read and write the same device addresses as the capture: tensors the
 * step reads must stay open and keep their shape (update their contents with copyFrom between
 * replays), and memory the step allocated stays reserved for the graph until {@link #close()}.
 */
public final class CudaGraph implements AutoCloseable {
    private final CudaBackend backend;
    private final CUgraph graph;
    private final CUgraphExec exec;
    private final CachingAllocator.Pool pool;
    private final int launches;
    private boolean closed;

    CudaGraph(CudaBackend backend, CUgraph graph, CUgraphExec exec, CachingAllocator.Pool pool, int launches) {
        this.backend = backend;
        this.graph = graph;
        this.exec = exec;
        this.pool = pool;
        this.launches = launches;
    }

    /** Queues one replay of the captured ops on the device's stream (asynchronous, like any op). */
    public void replay() {
        if (closed) {
            throw new IllegalStateException("cuda graph: replay after close");
        }
        backend.launchGraph(exec);
    }

    /** Kernel launches and copies recorded in the graph. */
    public int capturedOps() {
        return launches;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        backend.releaseGraph(pool, () -> {
            JCudaDriver.cuGraphExecDestroy(exec);
            JCudaDriver.cuGraphDestroy(graph);
        });
    }
}
