package io.flywall.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmarks' reading of a daemon's collector log (-Xlog:gc with uptime, serial collector). */
class LabBenchTest {
  @TempDir Path dir;

  @Test
  void aCollectorLogGivesEachPauseAndHowFastTheOldGenerationFilled() throws Exception {
    Path log = dir.resolve("gc-1.log");
    Files.write(
        log,
        List.of(
            "[0.003s] Using Serial",
            "[1.000s] GC(0) Pause Young (Allocation Failure) 30M->10M(123M) 4.000ms",
            "[2.000s] GC(1) Pause Young (Allocation Failure) 38M->14M(123M) 3.500ms",
            "[3.000s] GC(2) Pause Young (Allocation Failure) 40M->12M(123M) 2.000ms",
            "[4.000s] GC(3) Pause Full (Allocation Failure) 90M->8M(123M) 68.200ms",
            "[5.000s] GC(4) Pause Young (Allocation Failure) 36M->11M(123M) 3.000ms"));

    List<LabBench.GcPause> pauses = LabBench.gcPauses(log);

    assertThat(pauses)
        .extracting(LabBench.GcPause::kind)
        .containsExactly(
            "Pause Young (Allocation Failure)",
            "Pause Young (Allocation Failure)",
            "Pause Young (Allocation Failure)",
            "Pause Full (Allocation Failure)",
            "Pause Young (Allocation Failure)");
    assertThat(pauses.get(3).full()).isTrue();
    assertThat(pauses.get(3).ms()).isEqualTo(68.2);
    assertThat(pauses.get(0).atSeconds()).isEqualTo(1.0);
    assertThat(pauses.get(4).heapAfterMb()).isEqualTo(11);
    // Young to young: +4, -2; what the full one freed is not counted; after it +3: 5 MB in 4 s.
    assertThat(LabBench.promotedMbPerSecond(pauses)).isCloseTo(1.25, within(1e-9));
    assertThat(LabBench.describe(pauses))
        .isEqualTo("5 pauses (1 full), longest 68.2 ms, 81 ms in all, promoted 1.25 MB/s");
  }
}
