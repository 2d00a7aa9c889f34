package io.flywall.conntrack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One conntrackd paired with one peer over the sync link: kept running by its supervisor, its
 * statistics sampled every {@code sync_interval}, and the two things that can be wrong with it —
 * down (not running or not answering) and silent (hears nothing from its peer) — kept up to date.
 */
final class ConntrackdChannel {
  private final ConntrackdConf conf;
  private final ConntrackdControl control;
  private final ConntrackdSupervisor supervisor;
  private final PeerSilence silence;
  private Instant lastSample;
  private Instant lastAnswer;
  private Optional<ConntrackdStats> stats = Optional.empty();
  private String state = "starting";
  private Optional<String> down = Optional.empty();
  private boolean silent;

  ConntrackdChannel(
      ConntrackdConf conf,
      ConntrackdControl control,
      ConntrackdSupervisor supervisor,
      Duration silenceAfter,
      Instant now) {
    this.conf = conf;
    this.control = control;
    this.supervisor = supervisor;
    this.silence = new PeerSilence(silenceAfter, now);
    this.lastAnswer = now;
  }

  /** What one round did besides updating the channel's state. */
  record Round(boolean started, Optional<OrphanedConntrackd.Outcome> orphan) {}

  void writeConfig() throws IOException {
    Files.createDirectories(conf.files().directory());
    Files.writeString(conf.files().config(), conf.text(), StandardCharsets.UTF_8);
  }

  /** Keeps conntrackd running and samples its statistics when a sync interval has passed. */
  Round tick(Instant now) {
    ConntrackdSupervisor.Check check = supervisor.tick(now);
    Round round = new Round(check.started(), check.orphan());
    if (check.started()) {
      silence.restarted(now);
      lastAnswer = now;
      lastSample = null;
      stats = Optional.empty();
    }
    if (!check.running()) {
      state = "restarting";
      down = Optional.of(check.problem().orElse("conntrackd is not running"));
      return round;
    }
    if (lastSample != null
        && Duration.between(lastSample, now).compareTo(conf.syncInterval()) < 0) {
      return round;
    }
    lastSample = now;
    try {
      ConntrackdStats sample = control.stats();
      stats = Optional.of(sample);
      lastAnswer = now;
      down = Optional.empty();
      silent = silence.observe(sample.messagesReceived(), now);
      state = "running";
    } catch (ConntrackSyncException e) {
      if (!Duration.between(lastAnswer, now).minus(silence.silenceAfter()).isNegative()) {
        state = "running";
        down =
            Optional.of(
                "conntrackd runs but does not answer on "
                    + conf.files().socket()
                    + ": "
                    + e.getMessage());
      }
    }
    return round;
  }

  ConntrackdConf conf() {
    return conf;
  }

  ConntrackdControl control() {
    return control;
  }

  String peer() {
    return conf.link().peerAddress().getHostAddress();
  }

  String state() {
    return state;
  }

  boolean running() {
    return supervisor.running();
  }

  Optional<Long> pid() {
    return supervisor.pid();
  }

  /** Why conntrackd is down (not running or not answering); empty while it is fine. */
  Optional<String> down() {
    return down;
  }

  boolean silent() {
    return silent;
  }

  /** The alarm detail of a silent peer. */
  String silence(Instant now) {
    return "conntrackd has received nothing from its peer "
        + peer()
        + " on "
        + conf.link().interfaceName()
        + " for "
        + Duration.between(silence.lastProgress(), now).toSeconds()
        + " s; connection state is not being synced";
  }

  /** When the last message from the peer arrived, as far as the samples tell. */
  Instant lastMessage() {
    return silence.lastProgress();
  }

  Optional<ConntrackdStats> stats() {
    return stats;
  }

  /** Why conntrackd is not running, for a takeover that cannot commit through it. */
  String notRunning() {
    String problem = supervisor.lastProblem();
    return "conntrackd is not running" + (problem.isEmpty() ? "" : ": " + problem);
  }

  long restarts() {
    return Math.max(0, supervisor.starts() - 1);
  }

  PeerSyncStatus status() {
    return new PeerSyncStatus(
        peer(), conf.port(), state, silent, Optional.of(silence.lastProgress()), stats, restarts());
  }

  void stop() {
    supervisor.stop();
  }
}
