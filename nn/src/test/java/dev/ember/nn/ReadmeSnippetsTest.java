package dev.ember.nn;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every Java example in README.md and nn/README.md compiles against the current API, as a user
 * would paste it into a main method (a block without imports gets the ones nn/README lists).
 * Compiled only: the examples train for seconds and write model files into the working directory.
 */
class ReadmeSnippetsTest {
    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
    private static final List<String> NN_IMPORTS = List.of("import dev.ember.nn.*;", "import dev.ember.nn.data.*;",
            "import dev.ember.nn.loss.*;", "import dev.ember.nn.model.*;", "import dev.ember.nn.optim.*;",
            "import dev.ember.nn.train.*;", "import dev.ember.runtime.*;", "import java.nio.file.Path;",
            "import dev.ember.nn.layers.*;", "import java.util.List;");

    @Test
    void everyJavaExampleInTheReadmesCompiles(@TempDir Path dir) throws IOException {
        List<Path> sources = new ArrayList<>();
        for (Path readme : List.of(Path.of("../README.md"), Path.of("README.md"))) {
            Matcher m = JAVA_BLOCK.matcher(Files.readString(readme));
            while (m.find()) {
                List<String> imports = new ArrayList<>(), body = new ArrayList<>();
                for (String line : m.group(1).split("\n")) {
                    (line.startsWith("import ") ? imports : body).add(line);
                }
                String name = "Snippet" + (sources.size() + 1);
                String src = String.join("\n", imports.isEmpty() ? NN_IMPORTS : imports) + "\n\n// from " + readme
                        + "\npublic class " + name + " {\n    public static void main(String[] args) throws Exception {\n"
                        + String.join("\n", body) + "\n    }\n}\n";
                sources.add(Files.writeString(dir.resolve(name + ".java"), src));
            }
        }
        assertTrue(sources.size() >= 4, "expected the READMEs' Java examples, found " + sources.size());
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, null)) {
            boolean ok = javac.getTask(null, files, diagnostics,
                    List.of("-d", dir.toString(), "-cp", System.getProperty("java.class.path"), "-proc:none"),
                    null, files.getJavaFileObjectsFromPaths(sources)).call();
            StringBuilder report = new StringBuilder();
            diagnostics.getDiagnostics().forEach(d -> report.append(d).append('\n'));
            assertEquals(true, ok, "README examples that do not compile:\n" + report);
        }
    }
}
