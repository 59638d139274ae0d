package dev.ember.runtime.opencl;

import static dev.ember.runtime.opencl.OpenClTestSupport.*;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Optimizer updates on OpenCL against the CPU backend over several steps. The kernels repeat the
 * CPU's float operations in order, with the step scalars computed on the host the same way, and
 * OpenCL builds with correctly rounded division and square root where the device offers it: the
 * allowed difference is 0 ulp then, 2 ulp per step otherwise.
 */
class OpenClOptimizerParityTest {
    static final int[] SIZES = {1, 7, 33, 127, 1000};

    static java.util.List<String> devices() {
        return OpenClTestSupport.devices();
    }

    private static long budget(OpenClBackend cl, int steps) {
        boolean exact = (Cl.deviceLong(cl.device().device(), org.lwjgl.opencl.CL10.CL_DEVICE_SINGLE_FP_CONFIG)
                & org.lwjgl.opencl.CL12.CL_FP_CORRECTLY_ROUNDED_DIVIDE_SQRT) != 0;
        return exact ? 0 : 2L * steps;
    }

    @ParameterizedTest(name = "[{0}] SGD: plain, momentum, Nesterov, weight decay")
    @MethodSource("devices")
    void sgd(String device) {
        OpenClBackend cl = cl();
        float[][] settings = {{0f, 0f, 0f}, {0.9f, 0f, 0f}, {0.9f, 1e-2f, 1f}, {0.5f, 1e-3f, 0f}}; // momentum, wd, nesterov
        for (int n : SIZES) {
            for (float[] st : settings) {
                long seed = n * 100L + (long) (st[0] * 10) + (long) st[2];
                Random r = new Random(seed);
                try (Pair p = new Pair(cl, uniform(r, n, -1, 1)); Pair g = new Pair(cl, n); Pair v = new Pair(cl, n)) {
                    for (int step = 0; step < 3; step++) {
                        float[] grad = uniform(r, n, -1, 1);
                        cpu().upload(grad, 0, g.cpu, 0, n);
                        cl.upload(grad, 0, g.cl, 0, n);
                        boolean nesterov = st[2] != 0;
                        var vc = st[0] == 0f ? null : v.cpu;
                        var vcl = st[0] == 0f ? null : v.cl;
                        cpu().sgdUpdate(p.cpu, g.cpu, vc, n, 0.1f, st[0], st[1], nesterov, step == 0);
                        cl.sgdUpdate(p.cl, g.cl, vcl, n, 0.1f, st[0], st[1], nesterov, step == 0);
                    }
                    assertUlps("sgd param " + java.util.Arrays.toString(st), seed, p.cpuValues(), p.clValues(), budget(cl, 3));
                    if (st[0] != 0f) {
                        assertUlps("sgd velocity", seed, v.cpuValues(), v.clValues(), budget(cl, 3));
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "[{0}] Adam and AdamW")
    @MethodSource("devices")
    void adam(String device) {
        OpenClBackend cl = cl();
        for (int n : SIZES) {
            for (boolean decoupled : new boolean[] {false, true}) {
                long seed = n * 3L + (decoupled ? 1 : 0);
                Random r = new Random(seed);
                try (Pair p = new Pair(cl, uniform(r, n, -1, 1)); Pair g = new Pair(cl, n); Pair m = new Pair(cl, n);
                     Pair v = new Pair(cl, n)) {
                    for (int step = 1; step <= 4; step++) {
                        float[] grad = uniform(r, n, -1, 1);
                        cpu().upload(grad, 0, g.cpu, 0, n);
                        cl.upload(grad, 0, g.cl, 0, n);
                        cpu().adamUpdate(p.cpu, g.cpu, m.cpu, v.cpu, n, 1e-3f, 0.9f, 0.999f, 1e-8f, 1e-2f, decoupled, step);
                        cl.adamUpdate(p.cl, g.cl, m.cl, v.cl, n, 1e-3f, 0.9f, 0.999f, 1e-8f, 1e-2f, decoupled, step);
                    }
                    String what = decoupled ? "adamw" : "adam";
                    assertUlps(what + " param", seed, p.cpuValues(), p.clValues(), budget(cl, 4));
                    assertUlps(what + " m", seed, m.cpuValues(), m.clValues(), 0);
                    assertUlps(what + " v", seed, v.cpuValues(), v.clValues(), 0);
                }
            }
        }
    }

    @ParameterizedTest(name = "[{0}] RMSprop and Adagrad")
    @MethodSource("devices")
    void rmspropAdagrad(String device) {
        OpenClBackend cl = cl();
        for (int n : SIZES) {
            long seed = n * 11L;
            Random r = new Random(seed);
            float[] init = uniform(r, n, -1, 1);
            try (Pair p1 = new Pair(cl, init); Pair p2 = new Pair(cl, init); Pair g = new Pair(cl, n); Pair s1 = new Pair(cl, n);
                 Pair s2 = new Pair(cl, n)) {
                for (int step = 0; step < 3; step++) {
                    float[] grad = uniform(r, n, -1, 1);
                    cpu().upload(grad, 0, g.cpu, 0, n);
                    cl.upload(grad, 0, g.cl, 0, n);
                    cpu().rmspropUpdate(p1.cpu, g.cpu, s1.cpu, n, 1e-2f, 0.99f, 1e-8f, 1e-3f);
                    cl.rmspropUpdate(p1.cl, g.cl, s1.cl, n, 1e-2f, 0.99f, 1e-8f, 1e-3f);
                    cpu().adagradUpdate(p2.cpu, g.cpu, s2.cpu, n, 1e-1f, 1e-10f, 0f);
                    cl.adagradUpdate(p2.cl, g.cl, s2.cl, n, 1e-1f, 1e-10f, 0f);
                }
                assertUlps("rmsprop param", seed, p1.cpuValues(), p1.clValues(), budget(cl, 3));
                assertUlps("rmsprop square avg", seed, s1.cpuValues(), s1.clValues(), 0);
                assertUlps("adagrad param", seed, p2.cpuValues(), p2.clValues(), budget(cl, 3));
                assertUlps("adagrad sum", seed, s2.cpuValues(), s2.clValues(), 0);
            }
        }
    }
}
