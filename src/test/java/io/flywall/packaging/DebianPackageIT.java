package io.flywall.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.flywall.cli.Main;
import io.flywall.network.CommandResult;
import io.flywall.network.ProcessCommandRunner;
import io.flywall.testing.FlywallProcess;
import io.flywall.testing.ProcessLogs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The Debian package scripts/package-deb builds: its contents and units checked without installing,
 * and (tagged "root", as root only) installed, upgraded, removed and purged on this machine,
 * leaving nothing behind.
 */
class DebianPackageIT {
  private static final Duration LIMIT = Duration.ofMinutes(3);
  private static final ProcessCommandRunner SHELL = new ProcessCommandRunner();

  private static Path out;
  private static Path deb;
  private static String version;
  private static Path extracted;

  @BeforeAll
  static void build() throws IOException {
    FlywallProcess.jar(); // after 'mvn package' only
    out = ProcessLogs.freshDirectory("package-deb");
    CommandResult built =
        run(
            PackagingFilesTest.PROJECT.resolve("scripts/package-deb").toString(),
            "--output",
            out.toString());
    assertThat(built.ok()).as(built.describe()).isTrue();
    deb = Path.of(built.stdout().strip());
    version = field("Version");
    extracted = out.resolve("root");
    CommandResult unpacked = run("dpkg-deb", "-x", deb.toString(), extracted.toString());
    assertThat(unpacked.ok()).as(unpacked.describe()).isTrue();
  }

  private static CommandResult run(String... argv) {
    return SHELL.run(List.of(argv), LIMIT);
  }

  private static String field(String name) {
    CommandResult result = run("dpkg-deb", "-f", deb.toString(), name);
    assertThat(result.ok()).as(result.describe()).isTrue();
    return result.stdout().strip();
  }

  private static String captured(String... args) {
    PrintStream original = System.out;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    try {
      assertThat(Main.run(args)).isZero();
    } finally {
      System.setOut(original);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void itIsNamedAfterThePomVersionForAllArchitectures() {
    String pomVersion = Main.class.getPackage().getImplementationVersion();
    assertThat(deb.getFileName().toString()).isEqualTo("flywall_" + version + "_all.deb");
    assertThat(field("Package")).isEqualTo("flywall");
    assertThat(field("Architecture")).isEqualTo("all");
    if (pomVersion != null) {
      assertThat(version).isEqualTo(pomVersion.replace('-', '~'));
    }
  }

  @Test
  void itHoldsTheLauncherJarUnitsManPageCompletionAndAnExampleConffile() throws Exception {
    assertThat(extracted.resolve("usr/bin/flywall")).isExecutable();
    assertThat(Files.readString(extracted.resolve("usr/bin/flywall")))
        .contains("/usr/share/flywall/flywall.jar");
    assertThat(extracted.resolve("usr/share/flywall/flywall.jar"))
        .hasSameBinaryContentAs(FlywallProcess.jar());
    assertThat(extracted.resolve("lib/systemd/system/flywall.service")).isRegularFile();
    assertThat(extracted.resolve("lib/systemd/system/flywall-witness.service")).isRegularFile();
    assertThat(Files.getPosixFilePermissions(extracted.resolve("etc/flywall/flywall.hcl")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    Path control = out.resolve("control");
    assertThat(run("dpkg-deb", "-e", deb.toString(), control.toString()).ok()).isTrue();
    assertThat(Files.readString(control.resolve("conffiles")).strip())
        .isEqualTo("/etc/flywall/flywall.hcl");

    String page;
    try (GZIPInputStream in =
        new GZIPInputStream(
            Files.newInputStream(extracted.resolve("usr/share/man/man8/flywall.8.gz")))) {
      page = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    // Generated from the same command model as 'flywall manual --roff'; only the date differs.
    String fromModel = captured("manual", "--roff");
    assertThat(page.substring(page.indexOf('\n')))
        .isEqualTo(fromModel.substring(fromModel.indexOf('\n')));
    assertThat(Files.readString(extracted.resolve("usr/share/bash-completion/completions/flywall")))
        .isEqualTo(captured("completion"));
  }

  @Test
  void itHoldsTheClassListOfADaemonRunForTheClassDataSharingArchive() throws IOException {
    List<String> classes = Files.readAllLines(extracted.resolve("usr/share/flywall/classes.lst"));

    // Written by -XX:DumpLoadedClassList during a run that got as far as its first heartbeat.
    assertThat(classes).contains("io/flywall/node/Daemon", "io/flywall/cluster/HeartbeatSender");
    assertThat(classes).anyMatch(line -> line.startsWith("org/sqlite/"));
  }

  @Test
  void theFileChecksumsMatchTheFiles() throws IOException {
    Path control = out.resolve("md5-control");
    assertThat(run("dpkg-deb", "-e", deb.toString(), control.toString()).ok()).isTrue();
    List<String> lines = Files.readAllLines(control.resolve("md5sums"));
    assertThat(lines).anyMatch(l -> l.endsWith("  usr/share/flywall/flywall.jar"));
    // md5sum resolves the paths from the working directory: check from the extracted root.
    CommandResult fromRoot =
        SHELL.run(
            List.of(
                "sh",
                "-c",
                "cd \"$0\" && md5sum --check --quiet \"$1\"",
                extracted.toString(),
                control.resolve("md5sums").toString()),
            LIMIT);
    assertThat(fromRoot.ok()).as(fromRoot.describe()).isTrue();
  }

  @Test
  void systemdAcceptsTheUnitsWithoutAWarning() throws IOException {
    assumeTrue(run("sh", "-c", "command -v systemd-analyze").ok(), "systemd-analyze is missing");
    // Offline, systemd-analyze checks that ExecStart exists: point it at the unpacked launcher.
    List<String> argv = new ArrayList<>(List.of("systemd-analyze", "verify", "--man=no"));
    for (String unit : List.of("flywall.service", "flywall-witness.service")) {
      String text =
          Files.readString(extracted.resolve("lib/systemd/system/" + unit))
              .replace("/usr/bin/flywall", extracted.resolve("usr/bin/flywall").toString());
      Path copy = Files.createDirectories(out.resolve("units")).resolve(unit);
      Files.writeString(copy, text);
      argv.add(copy.toString());
    }

    CommandResult verify = SHELL.run(argv, LIMIT);

    assertThat(verify.ok()).as(verify.describe()).isTrue();
    assertThat(verify.stdout() + verify.stderr()).isEmpty();
  }

  /**
   * Installs into this very system: only as root, only when no flywall package or state is here
   * already, and purged again whatever happens.
   */
  @Test
  @Tag("root")
  void installingUpgradingRemovingAndPurgingLeaveNothingBehind() throws Exception {
    assumeTrue(System.getProperty("user.name").equals("root"), "installing a package needs root");
    assumeTrue(run("sh", "-c", "command -v dpkg && command -v man").ok(), "no dpkg or man here");
    try (FileChannel lockFile =
            FileChannel.open(
                Path.of("/tmp/flywall-package-test.lock"),
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock lock = lockFile.lock()) {
      assumeTrue(
          !installed()
              && !Files.exists(Path.of("/etc/flywall"), LinkOption.NOFOLLOW_LINKS)
              && !Files.exists(Path.of("/var/lib/flywall"), LinkOption.NOFOLLOW_LINKS),
          "flywall is installed or has state here already; this test does not touch it");
      CommandResult upgradeBuild =
          run(
              PackagingFilesTest.PROJECT.resolve("scripts/package-deb").toString(),
              "--version",
              version + "+upgrade1",
              "--output",
              out.resolve("upgrade").toString());
      assertThat(upgradeBuild.ok()).as(upgradeBuild.describe()).isTrue();
      Path upgrade = Path.of(upgradeBuild.stdout().strip());
      try {
        installedAndUsable();
        upgradedKeepingTheOperatorsConfig(upgrade);
        removedKeepingTheConfig();
        purgedToNothing();
      } finally {
        if (installed()) {
          dpkg("--purge", "flywall");
        }
      }
      assertThat(installed()).isFalse();
    }
  }

  private void installedAndUsable() throws IOException {
    CommandResult install = dpkg("-i", deb.toString());
    assertThat(install.ok()).as(install.describe()).isTrue();
    assertThat(install.stdout()).contains("systemctl enable --now flywall");
    assertThat(status()).isEqualTo("install ok installed " + version);

    CommandResult versionOut = run("/usr/bin/flywall", "--version");
    assertThat(versionOut.ok()).as(versionOut.describe()).isTrue();
    assertThat(versionOut.stdout()).startsWith("flywall " + version.replace('~', '-') + "\n");
    CommandResult man = run("man", "-w", "flywall");
    assertThat(man.stdout().strip()).isEqualTo("/usr/share/man/man8/flywall.8.gz");
    CommandResult completion =
        run(
            "bash",
            "-c",
            "source /usr/share/bash-completion/completions/flywall && complete -p flywall");
    assertThat(completion.ok()).as(completion.describe()).isTrue();
    CommandResult verify =
        run(
            "systemd-analyze",
            "verify",
            "/lib/systemd/system/flywall.service",
            "/lib/systemd/system/flywall-witness.service");
    assertThat(verify.ok()).as(verify.describe()).isTrue();
    assertThat(verify.stdout() + verify.stderr()).isEmpty();

    assertThat(Files.getPosixFilePermissions(Path.of("/var/lib/flywall")))
        .isEqualTo(PosixFilePermissions.fromString("rwx------"));
    // Nothing was enabled or started: the shipped config is an example, and it starts nothing.
    assertThat(Path.of("/etc/systemd/system/multi-user.target.wants/flywall.service"))
        .doesNotExist();
    CommandResult runExample = run("/usr/bin/flywall", "run");
    assertThat(runExample.exitCode()).as(runExample.describe()).isEqualTo(2);
    assertThat(runExample.stderr()).contains("nothing started");
    archiveDumpedAndNeverInTheWay();
  }

  /**
   * postinst dumped a class-data sharing archive for this JVM, which the launcher maps; one the JVM
   * cannot use (damaged, or of another JVM build) never stops a start.
   */
  private void archiveDumpedAndNeverInTheWay() throws IOException {
    Path archive = Path.of("/var/lib/flywall/flywall.jsa");
    Path stamp = Path.of("/var/lib/flywall/flywall.jsa.jvm");
    assertThat(archive).isRegularFile();
    assertThat(Files.size(archive)).isGreaterThan(1_000_000);
    assertThat(Files.getPosixFilePermissions(archive))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    String jvmStamp = Files.readString(stamp);
    assertThat(jvmStamp).contains("libjvm.so");
    CommandResult mapped =
        SHELL.run(List.of("env", "FLYWALL_JAVA_OPTS=-Xshare:on", "/usr/bin/flywall", "run"), LIMIT);
    // -Xshare:on makes an archive the JVM cannot map fatal: reaching the config proves it mapped.
    assertThat(mapped.stderr()).as(mapped.describe()).contains("nothing started");

    Files.write(archive, new byte[4096]);
    CommandResult damaged = run("/usr/bin/flywall", "run");
    assertThat(damaged.exitCode()).as(damaged.describe()).isEqualTo(2);
    assertThat(damaged.stderr()).contains("nothing started");

    Files.writeString(stamp, "/usr/lib/jvm/another/lib/server/libjvm.so 1 1\n");
    CommandResult otherJvm = run("/usr/bin/flywall", "run");
    assertThat(otherJvm.exitCode()).as(otherJvm.describe()).isEqualTo(2);
    // Not mapped: recorded anew at the next clean stop, under this JVM's stamp.
    assertThat(Files.readString(stamp)).isEqualTo(jvmStamp);
  }

  private void upgradedKeepingTheOperatorsConfig(Path upgrade) throws IOException {
    Path conffile = Path.of("/etc/flywall/flywall.hcl");
    Files.writeString(conffile, "# edited by the operator\n", StandardOpenOption.APPEND);

    CommandResult install = dpkg("-i", upgrade.toString());

    assertThat(install.ok()).as(install.describe()).isTrue();
    assertThat(status()).isEqualTo("install ok installed " + version + "+upgrade1");
    assertThat(Files.readString(conffile)).endsWith("# edited by the operator\n");
  }

  private void removedKeepingTheConfig() {
    CommandResult remove = dpkg("-r", "flywall");

    assertThat(remove.ok()).as(remove.describe()).isTrue();
    assertThat(status()).startsWith("deinstall ok config-files");
    assertThat(Path.of("/usr/bin/flywall")).doesNotExist();
    assertThat(Path.of("/usr/share/flywall")).doesNotExist();
    assertThat(Path.of("/usr/share/man/man8/flywall.8.gz")).doesNotExist();
    assertThat(Path.of("/etc/flywall/flywall.hcl")).exists();
    assertThat(Path.of("/var/lib/flywall/flywall.jsa")).doesNotExist();
  }

  private void purgedToNothing() {
    CommandResult purge = dpkg("--purge", "flywall");

    assertThat(purge.ok()).as(purge.describe()).isTrue();
    assertThat(installed()).isFalse();
    for (String path :
        List.of(
            "/etc/flywall",
            "/var/lib/flywall",
            "/usr/share/doc/flywall",
            "/lib/systemd/system/flywall.service",
            "/lib/systemd/system/flywall-witness.service",
            "/usr/share/bash-completion/completions/flywall")) {
      assertThat(Path.of(path)).as(path).doesNotExist();
    }
  }

  private static CommandResult dpkg(String... args) {
    List<String> argv = new ArrayList<>(List.of("env", "DEBIAN_FRONTEND=noninteractive", "dpkg"));
    argv.addAll(List.of(args));
    return SHELL.run(argv, LIMIT);
  }

  private static String status() {
    return run("dpkg-query", "-W", "-f=${Status} ${Version}", "flywall").stdout().strip();
  }

  /** Installed, or removed with its config left: anything but absent or purged. */
  private static boolean installed() {
    CommandResult query = run("dpkg-query", "-W", "-f=${Status}", "flywall");
    return query.ok() && !query.stdout().contains("not-installed");
  }
}
