package io.flywall.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.flywall.cli.Main;
import io.flywall.config.ConfigLoader;
import io.flywall.config.LoadedConfig;
import io.flywall.network.Tool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The files under packaging/ that the Debian package ships, read as an operator meets them. */
class PackagingFilesTest {
  static final Path PROJECT = Path.of(System.getProperty("flywall.project.dir", "."));
  static final Path PACKAGING = PROJECT.resolve("packaging");

  /** Lines commented out with '#' and no space (or '#' and an indent) are example config. */
  private static final Pattern EXAMPLE_LINE = Pattern.compile("^#(\\S|  ).*");

  @TempDir Path dir;

  /** The shipped example with its config lines uncommented, as an operator would start. */
  static String uncommented(String shipped) {
    StringBuilder out = new StringBuilder();
    boolean inExample = false;
    for (String line : shipped.split("\n", -1)) {
      inExample |= line.startsWith("#replication {");
      out.append(inExample && EXAMPLE_LINE.matcher(line).matches() ? line.substring(1) : line)
          .append('\n');
    }
    return out.toString();
  }

  @Test
  void theDaemonsUnitReloadsWithSighupAndTheWitnessesDoesNot() throws IOException {
    String daemon = Files.readString(PACKAGING.resolve("flywall.service"));
    assertThat(daemon.lines()).contains("ExecReload=/bin/kill -HUP $MAINPID");
    assertThat(daemon.lines()).contains("SuccessExitStatus=143");
    // A witness has nothing to reload: 'systemctl reload' must say so rather than pretend.
    assertThat(Files.readString(PACKAGING.resolve("flywall-witness.service")))
        .doesNotContain("ExecReload");
  }

  @Test
  void theExampleConfigIsValidOnceUncommented() throws Exception {
    String shipped = Files.readString(PACKAGING.resolve("flywall.hcl"));

    LoadedConfig config = new ConfigLoader(() -> "fw1").parse("flywall.hcl", uncommented(shipped));

    assertThat(config.config().replication().nodeId()).isEqualTo("fw1");
    assertThat(config.config().replication().ha()).isPresent();
    assertThat(config.warnings()).isEmpty();
  }

  @Test
  void theExampleConfigAsShippedStartsNothing() throws IOException {
    Path shipped = Files.copy(PACKAGING.resolve("flywall.hcl"), dir.resolve("flywall.hcl"));

    int exit = Main.run("run", "--config", shipped.toString());

    assertThat(exit).as("invalid config: nothing started").isEqualTo(2);
  }

  @Test
  void thePackageDependsOnEveryOsToolTheDaemonDrives() throws IOException {
    String control = Files.readString(PACKAGING.resolve("debian/control"));
    Set<String> declared =
        List.of("Depends", "Recommends").stream()
            .flatMap(field -> packages(control, field).stream())
            .collect(Collectors.toSet());

    for (Tool tool : Tool.values()) {
      assertThat(declared).as("package of %s", tool.command()).contains(tool.debianPackage());
    }
  }

  /** The package names of a control field, alternatives and version constraints dropped. */
  static List<String> packages(String control, String field) {
    String value =
        control
            .lines()
            .filter(line -> line.startsWith(field + ":"))
            .findFirst()
            .orElseThrow()
            .substring(field.length() + 1);
    return Arrays.stream(value.split("[,|]"))
        .map(p -> p.replaceAll("\\(.*\\)", "").strip())
        .collect(Collectors.toList());
  }
}
