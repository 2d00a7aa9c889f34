package io.flywall.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ChaosOptionsTest {
  @Test
  void withoutOptionsARunHasThreeNodesTwoMinutesAndARandomSeed() throws Exception {
    assertThat(ChaosOptions.parse(List.of()))
        .isEqualTo(new ChaosOptions(3, 2, OptionalLong.empty()));
  }

  @Test
  void everyOptionIsRead() throws Exception {
    assertThat(ChaosOptions.parse(List.of("--nodes", "2", "--minutes", "0.5", "--seed", "-9")))
        .isEqualTo(new ChaosOptions(2, 0.5, OptionalLong.of(-9)));
  }

  @Test
  void badOptionsAreRefusedWithWhatToDoAndTheUsage() {
    assertThatThrownBy(() -> ChaosOptions.parse(List.of("--nodes", "4")))
        .hasMessageContaining("--nodes must be 3, or 2")
        .hasMessageContaining("usage: scripts/chaos");
    assertThatThrownBy(() -> ChaosOptions.parse(List.of("--minutes", "soon")))
        .hasMessageContaining("--minutes takes a number, not 'soon'");
    assertThatThrownBy(() -> ChaosOptions.parse(List.of("--minutes", "0")))
        .hasMessageContaining("above 0");
    assertThatThrownBy(() -> ChaosOptions.parse(List.of("--seed")))
        .hasMessageContaining("--seed needs a value");
    assertThatThrownBy(() -> ChaosOptions.parse(List.of("--speed", "1")))
        .hasMessageContaining("unknown option --speed");
  }
}
