package io.flywall.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.flywall.network.CommandResult;
import io.flywall.network.ProcessCommandRunner;
import io.flywall.network.Tool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/flywall demo} on a machine that lacks OS packages: as root it installs them through
 * scripts/install-test-deps (one list, scripts/os-packages), otherwise it says exactly what to run.
 * Checked on a copy of bin/ and scripts/ whose list names a package that does not exist, with
 * apt-get replaced by a recorder, so nothing is installed.
 */
class DemoSetupTest {
  private static final Duration LIMIT = Duration.ofSeconds(60);
  private static final String ABSENT = "fwt-no-such-package";

  @TempDir Path dir;
  private Path copy;
  private Path recorder;

  @BeforeEach
  void copyLauncher() throws IOException {
    copy = dir.resolve("flywall");
    for (String file : List.of("bin/flywall", "scripts/install-test-deps")) {
      Path target = copy.resolve(file);
      Files.createDirectories(target.getParent());
      Files.copy(PackagingFilesTest.PROJECT.resolve(file), target);
    }
    // One package that is there (bash) and one that never is.
    Files.writeString(
        copy.resolve("scripts/os-packages"),
        "# test list\nbash build demo test\n" + ABSENT + " demo test\nfwt-only-for-tests test\n");
    recorder = dir.resolve("fake-bin");
    Files.createDirectories(recorder);
    Path aptGet = recorder.resolve("apt-get");
    Files.writeString(
        aptGet, "#!/bin/sh\necho \"apt-get $*\" >> \"" + dir.resolve("apt.log") + "\"\nexit 0\n");
    Files.setPosixFilePermissions(aptGet, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private CommandResult demo(boolean asRoot) {
    List<String> argv = new ArrayList<>();
    if (!asRoot) {
      argv.addAll(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
    }
    argv.addAll(
        List.of(
            "env",
            "PATH=" + recorder + ":/usr/sbin:/usr/bin:/sbin:/bin",
            copy.resolve("bin/flywall").toString(),
            "demo"));
    return new ProcessCommandRunner().run(argv, LIMIT);
  }

  private static boolean root() {
    return System.getProperty("user.name").equals("root");
  }

  @Test
  void withoutRootItSaysExactlyWhatToRunAndInstallsNothing() throws IOException {
    assumeTrue(root(), "switching to an unprivileged user needs root");
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));

    CommandResult result = demo(false);

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.stderr())
        .contains("the demo needs root")
        .contains("\n  sudo " + copy.resolve("bin/flywall") + " demo\n")
        .contains("sudo apt-get install -y " + ABSENT + "\n")
        .doesNotContain("fwt-only-for-tests");
    assertThat(dir.resolve("apt.log")).doesNotExist();
  }

  @Test
  void asRootItInstallsTheDemoPackagesAndStopsWhenTheyCannotBeHad() throws IOException {
    assumeTrue(root(), "the install path runs as root");

    CommandResult result = demo(true);

    assertThat(Files.readAllLines(dir.resolve("apt.log")))
        .containsExactly(
            "apt-get update -q", "apt-get install -y -q --no-install-recommends " + ABSENT);
    // The recorder installed nothing: the launcher says so instead of running a half-set-up demo.
    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.stderr())
        .contains("installing what the demo needs: " + ABSENT)
        .contains("still missing after apt-get: " + ABSENT)
        .contains("install them with: apt-get install -y " + ABSENT);
  }

  @Test
  void theOneListHoldsTheToolsOfTheDaemonAndTheDemo() throws IOException {
    List<String> lines =
        Files.readAllLines(PackagingFilesTest.PROJECT.resolve("scripts/os-packages")).stream()
            .filter(l -> !l.isBlank() && !l.startsWith("#"))
            .collect(Collectors.toList());
    List<String> all = lines.stream().map(l -> l.split("\\s+")[0]).collect(Collectors.toList());
    List<String> demo =
        lines.stream()
            .filter(l -> Arrays.asList(l.split("\\s+")).contains("demo"))
            .map(l -> l.split("\\s+")[0])
            .collect(Collectors.toList());

    for (Tool tool : Tool.values()) {
      assertThat(all).contains(tool.debianPackage());
    }
    // The demo's nodes use VIPs, ARP and link monitoring; its client pings; both are Java.
    assertThat(demo)
        .contains(
            Tool.IP.debianPackage(),
            Tool.ARPING.debianPackage(),
            Tool.PING.debianPackage(),
            "openjdk-17-jdk-headless",
            "maven");
    CommandResult print =
        new ProcessCommandRunner()
            .run(
                List.of(
                    PackagingFilesTest.PROJECT.resolve("scripts/install-test-deps").toString(),
                    "--for",
                    "nonsense"),
                LIMIT);
    assertThat(print.exitCode()).isEqualTo(2);
    assertThat(print.stderr()).contains("--for must be build, demo or test");
  }
}
