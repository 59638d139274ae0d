package dev.ember.runtime.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ember.runtime.Activation;
import dev.ember.runtime.BinaryOp;
import dev.ember.runtime.Device;
import dev.ember.runtime.Devices;
import dev.ember.runtime.Ops;
import dev.ember.runtime.Tensor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A null tensor where an op needs one is refused with a message that names the op and the
 * argument ("gemm: B is null"), not Java's default ("Cannot invoke Tensor.rank() because t is
 * null"), which names a helper's variable. Every public op of {@link Ops} is called with each of
 * its tensors null in turn, the others valid 4x4 tensors (which need not fit the op: a refusal of
 * their shapes is fine, as long as it names the op).
 */
class NullArgumentTest {
    @Test
    void everyOpNamesItselfAndTheNullArgument() throws Exception {
        Device dev = Devices.cpu();
        int checked = 0;
        for (Method m : Ops.class.getMethods()) {
            if (!Modifier.isStatic(m.getModifiers()) || m.getDeclaringClass() != Ops.class) {
                continue;
            }
            Parameter[] ps = m.getParameters();
            for (int nullAt = 0; nullAt < ps.length; nullAt++) {
                if (ps[nullAt].getType() != Tensor.class) {
                    continue;
                }
                List<Tensor> made = new ArrayList<>();
                Object[] args = new Object[ps.length];
                for (int i = 0; i < ps.length; i++) {
                    Class<?> t = ps[i].getType();
                    if (t == Tensor.class) {
                        if (i != nullAt) {
                            Tensor x = dev.rand(i, 0.1f, 0.9f, 4, 4);
                            made.add(x);
                            args[i] = x;
                        }
                    } else if (t == float.class) {
                        args[i] = 0.5f;
                    } else if (t == int.class) {
                        args[i] = 1;
                    } else if (t == long.class) {
                        args[i] = 1L;
                    } else if (t == boolean.class) {
                        args[i] = false;
                    } else if (t == Activation.class) {
                        args[i] = Activation.RELU;
                    } else if (t == BinaryOp.class) {
                        args[i] = BinaryOp.values()[0];
                    } else {
                        fail(m + ": a parameter of type " + t + " this test does not know");
                    }
                }
                String what = m.getName() + " with tensor argument " + nullAt + " null";
                try {
                    m.invoke(null, args);
                    assertTrue(optional(m, nullAt), what + ": accepted");
                } catch (InvocationTargetException e) {
                    Throwable c = e.getCause();
                    String msg = String.valueOf(c.getMessage());
                    // "activationBackward(relu): x is null" names the activation too
                    assertTrue(msg.startsWith(m.getName() + ":") || msg.startsWith(m.getName() + "("), what + ": " + c);
                    if (c instanceof NullPointerException) {
                        assertTrue(msg.endsWith(" is null"), what + ": " + c);
                    }
                } finally {
                    made.forEach(Tensor::close);
                }
                checked++;
            }
        }
        assertTrue(checked > 60, "tensor arguments checked: " + checked);
    }

    /**
     * Whether argument {@code i} of {@code m} may be null: gemm's bias (its fourth tensor) and sgd's
     * velocity (its third, for SGD without momentum). Parameter names are not compiled in.
     */
    private static boolean optional(Method m, int i) {
        Class<?>[] ps = m.getParameterTypes();
        int tensorIndex = 0;
        for (int k = 0; k < i; k++) {
            tensorIndex += ps[k] == Tensor.class ? 1 : 0;
        }
        return switch (m.getName()) {
            case "gemm" -> tensorIndex == 3;
            case "sgd" -> tensorIndex == 2;
            default -> false;
        };
    }

    @Test
    void theMessageNamesTheArgument() {
        Device dev = Devices.cpu();
        try (Tensor a = dev.rand(1, 0f, 1f, 2, 3); Tensor c = dev.empty(2, 4)) {
            NullPointerException e = org.junit.jupiter.api.Assertions.assertThrows(NullPointerException.class,
                    () -> Ops.gemm(false, false, 1f, a, null, 0f, c));
            assertEquals("gemm: B is null", e.getMessage());
            e = org.junit.jupiter.api.Assertions.assertThrows(NullPointerException.class, () -> Ops.mean(null));
            assertEquals("mean: x is null", e.getMessage());
        }
    }
}
