package io.flywall.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.flywall.testing.MutableClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BootIdTest {

  @TempDir Path stateDir;

  private final MutableClock clock = new MutableClock(Instant.ofEpochMilli(Heartbeats.BOOT));

  @Test
  void theFirstBootIdIsTheClockAndIsPersisted() throws IOException {
    long first = BootId.next(stateDir, clock);

    assertThat(first).isEqualTo(Heartbeats.BOOT);
    assertThat(Files.readString(stateDir.resolve("boot_id")).trim())
        .isEqualTo(Long.toString(first));
  }

  @Test
  void theBootIdFileIsOwnerOnlyAndAMissingStateDirIsCreatedOwnerOnly() throws IOException {
    Path fresh = stateDir.resolve("witness");

    BootId.next(fresh, clock);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh)))
        .isEqualTo("rwx------");
    assertThat(
            PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh.resolve("boot_id"))))
        .isEqualTo("rw-------");
  }

  @Test
  void theBootIdGrowsAcrossRestartsEvenWithinOneMillisecond() throws IOException {
    long first = BootId.next(stateDir, clock);
    long second = BootId.next(stateDir, clock);
    long third = BootId.next(stateDir, clock);

    assertThat(second).isGreaterThan(first);
    assertThat(third).isGreaterThan(second);
  }

  @Test
  void theBootIdGrowsWhenTheClockStepsBack() throws IOException {
    long first = BootId.next(stateDir, clock);
    clock.advance(Duration.ofDays(-1));

    assertThat(BootId.next(stateDir, clock)).isEqualTo(first + 1);
  }

  @Test
  void theBootIdFollowsTheClockAcrossALongDowntime() throws IOException {
    BootId.next(stateDir, clock);
    clock.advance(Duration.ofHours(2));

    assertThat(BootId.next(stateDir, clock)).isEqualTo(clock.millis());
  }

  @Test
  void theBootIdStillGrowsWhenTheFileIsLost() throws IOException {
    long first = BootId.next(stateDir, clock);
    Files.delete(stateDir.resolve("boot_id"));
    clock.advance(Duration.ofSeconds(3));

    assertThat(BootId.next(stateDir, clock)).isGreaterThan(first);
  }

  @Test
  void aCorruptFileIsTreatedLikeALostOne() throws IOException {
    Files.writeString(stateDir.resolve("boot_id"), "garbage\u0000", StandardCharsets.UTF_8);

    assertThat(BootId.next(stateDir, clock)).isEqualTo(clock.millis());
  }

  @Test
  void aMissingStateDirectoryIsCreatedAndNoTempFileIsLeftBehind() throws IOException {
    Path nested = stateDir.resolve("var/lib/flywall");

    BootId.next(nested, clock);

    try (var files = Files.list(nested)) {
      assertThat(files.map(path -> path.getFileName().toString())).containsExactly("boot_id");
    }
  }
}
