package io.flywall.node;

import io.flywall.api.ApiModel.CommandOutcome;
import io.flywall.config.ConfigException;
import io.flywall.config.ConfigLoader;
import io.flywall.config.FlywallConfig;
import io.flywall.config.HaConfig;
import io.flywall.config.LoadedConfig;
import io.flywall.config.VirtualIpConfig;
import io.flywall.failover.ControllerSettings;
import io.flywall.network.GatewayMonitor;
import io.flywall.network.HealthWatch;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reload (SIGHUP, {@code flywall reload}, POST /api/ha/reload): re-reads the config file and
 * applies what can change live: priority and failback settings (through the controller), VIPs added
 * or removed, monitors, scripts. A config that does not pass {@code config check}, or that changes
 * anything else (named in the answer), is refused and the node keeps running on the old one. Either
 * way the history records a {@code reload} event. It owns the health watch, which a reload
 * replaces.
 */
final class ConfigReload implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ConfigReload.class);

  private final Optional<Path> file;
  private final Clock clock;
  private final Daemon.Effects effects;
  private final ReplaceableScripts scripts;
  private final ExecutorService effectsThread;
  private final ControllerLoop node;
  private FlywallConfig running;
  private HealthWatch health;
  private boolean closed;

  ConfigReload(
      Optional<Path> file,
      FlywallConfig running,
      Clock clock,
      Daemon.Effects effects,
      ReplaceableScripts scripts,
      ExecutorService effectsThread,
      ControllerLoop node) {
    this.file = file;
    this.running = running;
    this.clock = clock;
    this.effects = effects;
    this.scripts = scripts;
    this.effectsThread = effectsThread;
    this.node = node;
    this.health = healthWatch(running.replication().ha().orElseThrow());
  }

  /** Starts watching the monitors of the config the node started with. */
  synchronized void startWatching() {
    health.start(running.replication().ha().orElseThrow().heartbeatInterval());
  }

  private HealthWatch healthWatch(HaConfig ha) {
    return new HealthWatch(
        ha.monitorLinks(),
        ha.virtualIps().stream().map(VirtualIpConfig::interfaceName).toList(),
        ha.monitorGateways(),
        effects.links(),
        new GatewayMonitor(effects.commands()),
        node::healthChanged,
        Executors.newScheduledThreadPool(2, Daemon.daemonThreads("flywall-health")));
  }

  synchronized CommandOutcome reload() {
    if (closed) {
      return CommandOutcome.refused("stopping; nothing reloaded");
    }
    if (file.isEmpty()) {
      return refuse("this node was not started from a config file");
    }
    Path path = file.get();
    FlywallConfig next;
    try {
      LoadedConfig loaded = ConfigLoader.withSystemHostname().load(path);
      loaded.warnings().forEach(w -> log.warn("reload: {}", w.asWarning()));
      next = loaded.config();
    } catch (ConfigException e) {
      return refuse(
          path
              + " does not pass 'flywall config check', the node keeps running on the config it"
              + " has:\n"
              + e.getMessage());
    }
    ReloadPlan plan = ReloadPlan.between(running, next);
    if (!plan.refused().isEmpty()) {
      return refuse(
          "cannot change live: "
              + String.join(", ", plan.refused())
              + " (restart to apply them); nothing was changed");
    }
    if (!plan.changesAnything()) {
      node.reload(Optional.empty(), "reloaded " + path + ": no change");
      return CommandOutcome.accepted("reloaded: no change");
    }
    HaConfig ha = next.replication().ha().orElseThrow();
    ControllerSettings settings;
    FailoverScripts newScripts = null;
    try {
      settings = ClusterPlan.of(next).controller();
      if (plan.scripts()) {
        newScripts = NodeEffects.scripts(next, clock);
      }
    } catch (NodeStartException | RuntimeException e) {
      return refuse(e.getMessage() + "; nothing was changed");
    }
    List<String> problems = new ArrayList<>();
    if (plan.vips()) {
      Optional<String> unsupported = reconfigureVips(ha, problems);
      if (unsupported.isPresent()) {
        return refuse(unsupported.get() + "; nothing was changed");
      }
    }
    if (newScripts != null) {
      scripts.replace(newScripts);
    }
    if (plan.monitors() || plan.vips()) {
      replaceHealthWatch(ha);
    }
    String outcome =
        "reloaded "
            + path
            + ": "
            + String.join("; ", plan.changes())
            + (problems.isEmpty() ? "" : "; problems: " + String.join("; ", problems));
    node.reload(plan.controller() ? Optional.of(settings) : Optional.empty(), outcome);
    running = next;
    log.info("{}", outcome);
    return CommandOutcome.accepted(outcome);
  }

  /** Empty when done (failures of single VIPs land in {@code problems}); else why not at all. */
  private Optional<String> reconfigureVips(HaConfig ha, List<String> problems) {
    try {
      // On the effects thread: never in the middle of a takeover's or a release's VIP step.
      effectsThread
          .submit(
              () -> {
                effects
                    .vips()
                    .reconfigure(
                        NodeEffects.vips(ha, v -> true),
                        NodeEffects.vips(ha, VirtualIpConfig::gratuitousArp),
                        NodeEffects.vips(ha, VirtualIpConfig::arpPing));
                return null;
              })
          .get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnsupportedOperationException unsupported) {
        return Optional.of(unsupported.getMessage());
      }
      problems.add("VIPs: " + e.getCause().getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      problems.add("VIPs: interrupted");
    } catch (java.util.concurrent.TimeoutException e) {
      problems.add("VIPs: not done within 30 s");
    }
    return Optional.empty();
  }

  private void replaceHealthWatch(HaConfig ha) {
    HealthWatch fresh = healthWatch(ha);
    health.close();
    fresh.start(ha.heartbeatInterval());
    health = fresh;
    if (!fresh.watching()) {
      // A watch of nothing reports nothing: a fault the old monitors saw must still end.
      node.healthChanged(true, "no monitor left after the reload");
    }
  }

  private CommandOutcome refuse(String why) {
    String outcome = "reload refused: " + why;
    log.warn("{}", outcome);
    node.reload(Optional.empty(), outcome);
    return CommandOutcome.refused(outcome);
  }

  @Override
  public synchronized void close() {
    closed = true;
    health.close();
  }
}
