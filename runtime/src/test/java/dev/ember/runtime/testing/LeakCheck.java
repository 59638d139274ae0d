package dev.ember.runtime.testing;

import dev.ember.runtime.Device;
import dev.ember.runtime.Devices;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test that leaves tensors open: live bytes of every available device must be the same
 * after the test as before it. Registered by {@link DeviceTest}.
 */
public final class LeakCheck implements BeforeEachCallback, AfterEachCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(LeakCheck.class);

    private static Map<String, Long> snapshot() {
        Map<String, Long> live = new LinkedHashMap<>();
        for (TestDevice td : TestDevices.list()) {
            if (td.available()) {
                try {
                    Device d = Devices.get(td.name());
                    live.put(td.name(), d.liveBytes());
                } catch (RuntimeException e) {
                    // A device that fails to open fails its own tests; it must not fail every other device's.
                }
            }
        }
        return live;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(NS).put("live", snapshot());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        @SuppressWarnings("unchecked")
        Map<String, Long> before = (Map<String, Long>) context.getStore(NS).get("live", Map.class);
        Map<String, Long> after = snapshot();
        for (var e : before.entrySet()) {
            Long now = after.get(e.getKey());
            if (now == null) {
                continue;
            }
            if (now.longValue() != e.getValue().longValue()) {
                String test = context.getRequiredTestClass().getSimpleName() + "."
                        + context.getRequiredTestMethod().getName() + " [" + context.getDisplayName() + "]";
                throw new AssertionError(test + " left " + (now - e.getValue()) + " bytes of tensors open on "
                        + e.getKey() + " (close them, e.g. with try-with-resources)");
            }
        }
    }
}
