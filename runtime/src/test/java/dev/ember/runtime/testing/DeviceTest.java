package dev.ember.runtime.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A test that runs once per device of {@link TestDevices}; the method takes one {@link TestDevice}
 * and the device name is the invocation's display name. {@link LeakCheck} fails it if it leaves
 * tensors open.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@ParameterizedTest(name = "{0}")
@MethodSource("dev.ember.runtime.testing.TestDevices#all")
@ExtendWith(LeakCheck.class)
public @interface DeviceTest {
}
