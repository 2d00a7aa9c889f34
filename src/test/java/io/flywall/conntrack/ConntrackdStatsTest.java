package io.flywall.conntrack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Reading conntrackd's statistics (captured from conntrackd 1.4.7). */
class ConntrackdStatsTest {

  private static String resource(String name) throws Exception {
    try (InputStream in = ConntrackdStatsTest.class.getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void theGeneralStatisticsGiveCacheSizesAndMessageCounters() throws Exception {
    ConntrackdStats stats = ConntrackdStats.parse(resource("conntrackd-stats.txt"));

    assertThat(stats).isEqualTo(new ConntrackdStats(3, 1003, 97, 1096, 0, 0, 0, 0));
  }

  @Test
  void outputWithoutStatisticsIsAnErrorQuotingIt() {
    assertThatThrownBy(
            () -> ConntrackdStats.parse("[ERROR] can't connect: is conntrackd running?\n"))
        .isInstanceOf(ConntrackSyncException.class)
        .hasMessage(
            "conntrackd -s printed no cache statistics: [ERROR] can't connect: is conntrackd running?");
  }
}
