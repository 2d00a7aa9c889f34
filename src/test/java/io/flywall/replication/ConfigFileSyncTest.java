package io.flywall.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sync_files: what a primary pushes and what a replica agrees to write (DESIGN 3, 10.4). */
class ConfigFileSyncTest {
  @TempDir Path dir;

  private static ReplicationMessage.FilePush push(Path path, String content) {
    return new ReplicationMessage.FilePush(
        path.toString(), 0640, content.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void theHaConfigReachedThroughASymbolicLinkIsNeverOverwritten() throws Exception {
    Path real = Files.writeString(dir.resolve("real.hcl"), "priority = 50");
    Path haConfig = Files.createSymbolicLink(dir.resolve("flywall.hcl"), real);
    ConfigFileSync replica = new ConfigFileSync(List.of(real), Optional.of(haConfig));

    assertThatThrownBy(() -> replica.write(push(real, "priority = 100")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("HA config");
    assertThat(Files.readString(real)).isEqualTo("priority = 50");
  }

  @Test
  void aSymbolicLinkToTheHaConfigInSyncFilesIsRefusedToo() throws Exception {
    Path haConfig = Files.writeString(dir.resolve("flywall.hcl"), "priority = 50");
    Path alias = Files.createSymbolicLink(dir.resolve("alias.hcl"), haConfig);
    ConfigFileSync replica = new ConfigFileSync(List.of(alias), Optional.of(haConfig));

    assertThatThrownBy(() -> replica.write(push(alias, "priority = 100")))
        .hasMessageContaining("HA config");
    assertThat(Files.readString(haConfig)).isEqualTo("priority = 50");
    assertThat(Files.isSymbolicLink(alias)).isTrue();
  }

  @Test
  void aHardLinkOfTheHaConfigIsNeverPushedNorWritten() throws Exception {
    Path haConfig = Files.writeString(dir.resolve("flywall.hcl"), "priority = 50");
    Path alias = Files.createLink(dir.resolve("copy.hcl"), haConfig);
    ConfigFileSync node = new ConfigFileSync(List.of(alias), Optional.of(haConfig));

    assertThat(node.changedSince(ConfigFileSync.nothingPushed())).isEmpty();
    assertThatThrownBy(() -> node.write(push(alias, "priority = 100")))
        .hasMessageContaining("HA config");
    assertThat(Files.readString(haConfig)).isEqualTo("priority = 50");
  }

  @Test
  void aFileBehindASymbolicLinkIsWrittenThroughItAndTheLinkStays() throws Exception {
    Path real = Files.writeString(Files.createDirectory(dir.resolve("run")).resolve("dns"), "a");
    Path link = Files.createSymbolicLink(dir.resolve("resolv.conf"), real);
    ConfigFileSync replica = new ConfigFileSync(List.of(link), Optional.empty());

    replica.write(push(link, "nameserver 10.0.0.53\n"));

    assertThat(Files.isSymbolicLink(link)).isTrue();
    assertThat(Files.readString(real)).isEqualTo("nameserver 10.0.0.53\n");
    try (var left = Files.list(real.getParent())) {
      assertThat(left).as("no temporary file left").containsExactly(real);
    }
  }

  @Test
  void anOverwrittenFileKeepsItsOwnerAndGroupAndTakesThePushedMode() throws Exception {
    Path file = Files.writeString(dir.resolve("dhcpd.conf"), "old");
    UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
    UserPrincipal owner = users.lookupPrincipalByName("4321");
    GroupPrincipal group = users.lookupPrincipalByGroupName("8765");
    PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
    view.setOwner(owner);
    view.setGroup(group);
    ConfigFileSync replica = new ConfigFileSync(List.of(file), Optional.empty());

    replica.write(push(file, "new"));

    PosixFileAttributes after = Files.readAttributes(file, PosixFileAttributes.class);
    assertThat(Files.readString(file)).isEqualTo("new");
    assertThat(after.owner()).isEqualTo(owner);
    assertThat(after.group()).isEqualTo(group);
    assertThat(ConfigFileSync.mode(file)).isEqualTo(0640);
  }

  @Test
  void aPushedPathThatIsNoPathAtAllIsARefusalNotACrash() {
    ConfigFileSync replica = new ConfigFileSync(List.of(dir.resolve("a")), Optional.empty());

    assertThatThrownBy(
            () ->
                replica.write(
                    new ReplicationMessage.FilePush("/etc/bad\0name", 0644, new byte[] {1})))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("refusing pushed path \"/etc/bad\\x00name\"");
  }

  @Test
  void aPathOutsideSyncFilesIsRefused() throws Exception {
    ConfigFileSync replica = new ConfigFileSync(List.of(dir.resolve("a")), Optional.empty());

    assertThatThrownBy(() -> replica.write(push(dir.resolve("b"), "x")))
        .hasMessageContaining("not in this node's sync_files");
    assertThat(dir.resolve("b")).doesNotExist();
  }

  @Test
  void anEditThatKeepsLengthAndJavaHashCodeIsStillPushed() throws Exception {
    // {0, 31} and {1, 0}: same length, same Arrays.hashCode (992), different content.
    Path file = dir.resolve("hosts");
    Files.write(file, new byte[] {0, 31});
    ConfigFileSync primary = new ConfigFileSync(List.of(file), Optional.empty());
    Map<Path, String> pushed = ConfigFileSync.nothingPushed();
    assertThat(primary.changedSince(pushed)).hasSize(1);

    Files.write(file, new byte[] {1, 0});

    assertThat(primary.changedSince(pushed))
        .singleElement()
        .satisfies(p -> assertThat(p.content()).containsExactly(1, 0));
  }
}
