package io.flywall.network;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ToolCheckTest {

  @TempDir Path bin;
  @TempDir Path sbin;

  private void tool(Path dir, String name, String permissions) throws IOException {
    Path file = Files.writeString(dir.resolve(name), "#!/bin/sh\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
  }

  @Test
  void toolsFoundInAnyPathDirectoryAreNotReported() throws IOException {
    tool(bin, "ip", "rwxr-xr-x");
    tool(sbin, "arping", "rwxr-xr-x");
    ToolCheck check = new ToolCheck(bin + ":" + sbin);

    assertThat(
            check.missing(
                EnumSet.of(
                    NetworkFeature.VIP_IPV4,
                    NetworkFeature.GRATUITOUS_ARP,
                    NetworkFeature.ARP_PING_IPV4)))
        .isEmpty();
  }

  @Test
  void aMissingToolIsReportedWithItsDebianPackageAndTheFeaturesThatNeedIt() throws IOException {
    tool(bin, "ip", "rwxr-xr-x");
    ToolCheck check = new ToolCheck(bin.toString());

    List<MissingTool> missing =
        check.missing(
            EnumSet.of(
                NetworkFeature.VIP_IPV6,
                NetworkFeature.ARP_PING_IPV6,
                NetworkFeature.ARP_PING_IPV4,
                NetworkFeature.GRATUITOUS_ARP,
                NetworkFeature.GATEWAY_MONITOR,
                NetworkFeature.CONNTRACK_SYNC,
                NetworkFeature.UNSOLICITED_NA));

    assertThat(missing)
        .extracting(MissingTool::tool)
        .containsExactly(Tool.ARPING, Tool.NDISC6, Tool.PING, Tool.SYSCTL, Tool.CONNTRACKD);
    assertThat(missing.get(0).message())
        .isEqualTo(
            "arping not found on PATH: install the Debian package iputils-arping"
                + " (needed for gratuitous ARP, arp_ping on IPv4 VIPs)");
    assertThat(missing)
        .extracting(m -> m.tool().debianPackage())
        .containsExactly("iputils-arping", "ndisc6", "iputils-ping", "procps", "conntrackd");
  }

  @Test
  void aFileThatIsNotExecutableDoesNotCount() throws IOException {
    tool(bin, "ping", "rw-r--r--");

    assertThat(new ToolCheck(bin.toString()).present(Tool.PING)).isFalse();
  }

  @Test
  void onlyToolsOfUsedFeaturesAreChecked() {
    assertThat(new ToolCheck("").missing(EnumSet.of(NetworkFeature.VIP_IPV4)))
        .extracting(MissingTool::tool)
        .containsExactly(Tool.IP);
    assertThat(new ToolCheck(null).missing(EnumSet.noneOf(NetworkFeature.class))).isEmpty();
  }
}
