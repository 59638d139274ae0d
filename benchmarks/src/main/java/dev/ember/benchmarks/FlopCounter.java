package dev.ember.benchmarks;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * JMH auxiliary counter for compute-bound work: each invocation adds its floating-point
 * operations, counted once per op. Under throughput mode JMH reports it as {@code flop} in FLOP/s.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class FlopCounter {
    public double flop;

    @Setup(Level.Iteration)
    public void reset() {
        flop = 0;
    }
}
