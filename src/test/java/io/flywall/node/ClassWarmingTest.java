package io.flywall.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ClassWarmingTest {

  @Test
  void nothingIsWarmedOnceTheAwaitedKeysAreThere() {
    assertThat(ClassWarming.whileWaitingFor(CompletableFuture.completedFuture(null))).isZero();
  }

  @Test
  void everyLibraryIsWarmedWhileTheKeysAreStillComing() {
    // A step whose library no longer initialises (a changed dependency) would show here.
    assertThat(ClassWarming.whileWaitingFor(new CompletableFuture<>()))
        .isEqualTo(ClassWarming.steps());
  }
}
