package dev.ember.benchmarks;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * JMH auxiliary counters: each benchmark invocation adds the floating-point operations and the
 * bytes read plus written of its op, counted once per op (not including host transfers). Under
 * throughput mode JMH reports them as rates, {@code flop} in FLOP/s and {@code bytes} in B/s.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class Work {
    public double flop;
    public double bytes;

    @Setup(Level.Iteration)
    public void reset() {
        flop = 0;
        bytes = 0;
    }
}
