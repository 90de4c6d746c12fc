package dev.cachalot.store.tier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cachalot.store.Fixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.openhft.chronicle.hash.VanillaGlobalMutableState;
import net.openhft.chronicle.values.Values;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pre-generated {@code VanillaGlobalMutableState$$Native} (docs/cache-store.md, "No compiler at
 * run time"): the committed source is what chronicle-values generates for the Chronicle version on
 * the class path, Chronicle uses it, and opening a disk tier compiles nothing.
 */
class PregeneratedNativeClassTest {
  /** Packages of javac's compiler proper: loaded when, and only when, something is compiled. */
  private static final List<String> COMPILER_PACKAGES = List.of("com.sun.tools.javac.main.",
      "com.sun.tools.javac.parser.", "com.sun.tools.javac.comp.", "com.sun.tools.javac.jvm.");

  private static Path moduleDir() {
    return Path.of(System.getProperty("basedir", "."));
  }

  /**
   * A Chronicle upgrade that changes the generated class (field offsets, methods, or only the
   * versions in the header) fails here until the file is regenerated and reviewed.
   */
  @Test
  void committedSourceIsWhatChronicleValuesGenerates() throws Exception {
    Path file = moduleDir().resolve(GlobalStateSource.FILE);
    String expected = GlobalStateSource.render();
    if (Boolean.getBoolean("cachalot.regenerate")) {
      Files.writeString(file, expected, StandardCharsets.UTF_8);
    }
    assertTrue(Files.exists(file), file + " is missing");
    String committed = Files.readString(file, StandardCharsets.UTF_8);
    assertEquals(expected, committed, file + " is not what chronicle-values "
        + GlobalStateSource.version("chronicle-values") + " generates for chronicle-map "
        + GlobalStateSource.version("chronicle-map") + "; regenerate it (see its header) and review the diff");
  }

  /** Chronicle Values resolves the value interface to our class, not to one it compiled. */
  @Test
  void chronicleValuesUsesTheShippedClass() {
    Class<?> impl = Values.nativeClassFor(VanillaGlobalMutableState.class);
    assertEquals(GlobalStateSource.CLASS_NAME, impl.getName());
    CodeSource ours = ChronicleTier.class.getProtectionDomain().getCodeSource();
    CodeSource theirs = impl.getProtectionDomain().getCodeSource();
    assertNotNull(theirs, "the class has no code source: it was compiled at run time");
    assertEquals(ours.getLocation(), theirs.getLocation(), "loaded from elsewhere than cache-store's classes");
  }

  /**
   * A fresh JVM that opens, writes, closes and reopens a disk tier compiles nothing: it loads no
   * class of javac's compiler proper (driver, parser, attribution, class writer), which a run-time
   * compilation of the generated class loads by the hundred. (A handful of javac's tool and file
   * manager classes are still loaded: chronicle-values' {@code ValueModel} constructor initialises
   * its cached compiler whether or not it will compile.)
   */
  @Test
  void openingADiskTierLoadsNoCompiler(@TempDir Path dir) throws Exception {
    Path classLog = dir.resolve("classes.log");
    List<String> cmd = Fixtures.childJvm();
    cmd.add("-Xmx256m");
    cmd.add("-XX:TieredStopAtLevel=1"); // a short-lived child: start fast
    cmd.add("-Xlog:class+load=info:file=" + classLog);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(OpenTierChild.class.getName());
    cmd.add(dir.resolve("cache").toString());
    Path out = dir.resolve("child-out.txt");
    Process child = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    boolean exited = child.waitFor(300, TimeUnit.SECONDS); // generous: loaded CI machines
    if (!exited) {
      child.destroyForcibly();
      child.waitFor(60, TimeUnit.SECONDS);
    }
    String output = Files.readString(out);
    assertTrue(exited, "child did not finish; output:\n" + output);
    assertEquals(0, child.exitValue(), "child failed; output:\n" + output);
    List<String> loaded = Files.readAllLines(classLog);
    assertTrue(loaded.stream().anyMatch(l -> l.contains(" " + GlobalStateSource.CLASS_NAME + " ")),
        "the child never loaded " + GlobalStateSource.CLASS_NAME + ": did it open a map?");
    List<String> compiling = loaded.stream()
        .filter(l -> COMPILER_PACKAGES.stream().anyMatch(p -> l.contains(" " + p)))
        .limit(5)
        .toList();
    assertEquals(List.of(), compiling, "opening a disk tier ran javac");
  }
}
