package dev.ember.runtime;

/**
 * What discovery found about one device: its name ({@code cpu}, {@code opencl:0}, {@code cuda:0}),
 * whether it can be used, and if not, why.
 */
public record DeviceInfo(String name, String kind, boolean available, boolean gpu, String description, String reason) {

    public static DeviceInfo available(String name, String kind, boolean gpu, String description) {
        return new DeviceInfo(name, kind, true, gpu, description, "");
    }

    public static DeviceInfo unavailable(String name, String kind, String reason) {
        return new DeviceInfo(name, kind, false, false, "", reason);
    }

    @Override
    public String toString() {
        return available ? name + "  " + description : name + "  unavailable: " + reason;
    }
}
