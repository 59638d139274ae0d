package dev.ember.benchmarks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChartsTest {
    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G'};

    @Test
    void writesBarChartsPerOpAndSpeedupChartsWhenAnAcceleratorWasMeasured(@TempDir Path tmp) throws Exception {
        List<ResultRow> rows = JmhResults.parse(Fixtures.text("jmh-fixture.json"));
        List<Path> files = Charts.write(new ReportTable(rows, List.of()), tmp.resolve("charts"));
        Set<String> names = files.stream().map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        assertEquals(Set.of("gemm.png", "gemm-speedup.png", "gemm_tn.png", "relu.png", "relu-speedup.png",
                "train_step.png"), names);
        for (Path f : files) {
            byte[] b = Files.readAllBytes(f);
            assertTrue(b.length > 2000, f + " is " + b.length + " bytes");
            assertArrayEquals(PNG, Arrays.copyOf(b, 4), f.toString());
        }
    }

    @Test
    void cpuOnlyReportsHaveNoSpeedupCharts(@TempDir Path tmp) throws Exception {
        List<ResultRow> rows = JmhResults.parse(Fixtures.text("jmh-fixture.json")).stream()
                .filter(r -> r.device().equals("cpu")).toList();
        List<Path> files = Charts.write(new ReportTable(rows, List.of()), tmp);
        assertEquals(4, files.size());
        assertTrue(files.stream().noneMatch(p -> p.toString().contains("speedup")));
    }
}
