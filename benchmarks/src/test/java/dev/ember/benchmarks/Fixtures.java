package dev.ember.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The small JMH result fixture (cpu and a fake opencl:0) as text or as a report directory. */
final class Fixtures {
    private Fixtures() {
    }

    static String text(String resource) throws IOException {
        try (InputStream in = Fixtures.class.getResourceAsStream("/" + resource)) {
            if (in == null) {
                throw new IOException("missing test resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static Path reportDir(Path tmp) throws IOException {
        Path dir = tmp.resolve("report");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(Report.JMH_JSON), text("jmh-fixture.json"));
        Files.writeString(dir.resolve(Report.ENV_JSON), text("env-fixture.json"));
        return dir;
    }
}
