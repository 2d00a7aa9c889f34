package io.flywall.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LogSetupTest {

  @Test
  void aLogLineIsTheTimeTheLevelTheClassAndTheMessage() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream original = System.out;
    LoggerContext context = new LoggerContext();
    // What slf4j's provider gives the real context.
    context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      assertThat(new LogSetup().configure(context))
          .isEqualTo(Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);
      context.getLogger("io.flywall.node.Daemon").info("node {} started", "n1");
      context.getLogger("org.eclipse.jetty.server.Server").info("not shown");
      context.getLogger("org.eclipse.jetty.server.Server").warn("shown");
    } finally {
      context.stop();
      System.setOut(original);
    }
    String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
    assertThat(lines).hasSize(2);
    assertThat(lines[0])
        .matches(
            "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\S* INFO  \\[Daemon\\] node n1 started");
    assertThat(lines[1]).endsWith("WARN  [Server] shown");
  }

  @Test
  void theRootLevelComesFromFlywallLogLevelAndAnUnknownNameIsInfo() {
    assertThat(LogSetup.rootLevel(Optional.of("debug"))).isEqualTo(Level.DEBUG);
    assertThat(LogSetup.rootLevel(Optional.of(" WARN "))).isEqualTo(Level.WARN);
    assertThat(LogSetup.rootLevel(Optional.of("loud"))).isEqualTo(Level.INFO);
    assertThat(LogSetup.rootLevel(Optional.empty())).isEqualTo(Level.INFO);
  }
}
