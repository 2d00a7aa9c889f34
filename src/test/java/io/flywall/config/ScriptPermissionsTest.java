package io.flywall.config;

import static io.flywall.config.ConfigText.load;
import static io.flywall.config.ConfigText.problemOf;
import static io.flywall.config.ConfigText.withHa;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DESIGN 10.4: scripts must be owned by root and not group/world-writable, checked by {@code config
 * check} and so at start. Run as another user, that user's own scripts pass too (the daemon would
 * run them as that user, nobody more privileged).
 */
class ScriptPermissionsTest {
  @TempDir Path dir;

  private Path script(String mode) throws Exception {
    Path file = Files.writeString(dir.resolve("pre-failover.sh"), "#!/bin/sh\nexit 0\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
    return file;
  }

  private static String withScript(Path script) {
    return withHa("", "    pre_failover_script = \"" + script + "\"\n");
  }

  @Test
  void aScriptOnlyItsOwnerMayChangeIsAccepted() throws Exception {
    Path script = script("rwxr-xr-x");

    assertThat(ScriptPermissions.problem(script)).isEmpty();
    assertThat(
            load(withScript(script)).config().replication().ha().orElseThrow().preFailoverScript())
        .contains(script);
  }

  @Test
  void aGroupWritableScriptIsRefusedByConfigCheckWithTheFix() throws Exception {
    Path script = script("rwxrwxr-x");

    ConfigProblem problem = problemOf(withScript(script));

    assertThat(problem.message())
        .contains("`pre_failover_script`", script.toString(), "writable by its group or others")
        .contains("chown root:root " + script + "; chmod go-w " + script);
    assertThat(problem.line()).isEqualTo(6);
  }

  @Test
  void aWorldWritableScriptIsRefused() throws Exception {
    assertThat(ScriptPermissions.problem(script("rwxr-xrwx")))
        .hasValueSatisfying(p -> assertThat(p).contains("mode 757", "chmod go-w"));
  }

  @Test
  void aScriptOwnedByAnotherUserIsRefused() throws Exception {
    assumeTrue(isRoot(), "changing a file's owner needs root (CI runs as root)");
    Path script = script("rwxr-xr-x");
    UserPrincipalLookupService users = script.getFileSystem().getUserPrincipalLookupService();
    Files.setOwner(script, users.lookupPrincipalByName("nobody"));

    assertThat(ScriptPermissions.problem(script))
        .hasValueSatisfying(p -> assertThat(p).contains("not root", "chown root:root " + script));
  }

  @Test
  void aScriptThatDoesNotExistYetIsReportedWhenItWouldRunNotHere() {
    assertThat(ScriptPermissions.problem(dir.resolve("missing.sh"))).isEmpty();
  }

  private static boolean isRoot() throws Exception {
    return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0;
  }
}
