package dev.ember.benchmarks;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * JMH auxiliary counter for memory-bound ops: each invocation adds the bytes its op reads plus
 * writes, counted once per op (host transfers not included). Under throughput mode JMH reports
 * it as a rate, {@code bytes} in B/s.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class ByteCounter {
    public double bytes;

    @Setup(Level.Iteration)
    public void reset() {
        bytes = 0;
    }
}
