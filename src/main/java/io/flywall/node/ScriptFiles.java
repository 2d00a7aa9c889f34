package io.flywall.node;

import io.flywall.failover.Action;
import io.flywall.failover.ScriptPhase;
import io.flywall.network.ScriptInvocation;
import io.flywall.network.ScriptResult;
import io.flywall.network.ScriptRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The configured pre/post failover scripts, run with the argv and environment of DESIGN section 4.
 */
final class ScriptFiles implements FailoverScripts {
  private final String nodeId;
  private final Optional<Path> pre;
  private final Optional<Path> post;
  private final Duration timeout;
  private final List<String> vips;
  private final ScriptRunner runner;

  ScriptFiles(
      String nodeId,
      Optional<Path> pre,
      Optional<Path> post,
      Duration timeout,
      List<String> vips,
      ScriptRunner runner) {
    this.nodeId = nodeId;
    this.pre = pre;
    this.post = post;
    this.timeout = timeout;
    this.vips = List.copyOf(vips);
    this.runner = runner;
  }

  @Override
  public Outcome run(Action.RunScript script) {
    Optional<Path> file = script.phase() == ScriptPhase.PRE ? pre : post;
    if (file.isEmpty()) {
      return Outcome.NOT_CONFIGURED;
    }
    ScriptResult result =
        runner.run(
            new ScriptInvocation(
                file.get(),
                nodeId,
                script.event().label(),
                HaView.roleName(script.from()),
                HaView.roleName(script.to()),
                script.epoch(),
                script.cause(),
                vips,
                timeout));
    String detail =
        result.ok()
            ? "exit 0"
            : result.problem() + (result.outputTail().isBlank() ? "" : ": " + result.outputTail());
    return new Outcome(true, result.ok(), detail);
  }
}
