package io.flywall.cli;

import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * The signals a long-running command answers: SIGTERM and SIGINT stop it cleanly and exit 0 (the
 * JVM's own handling would exit 143/130, which systemd and operators read as a failure), SIGHUP
 * reloads the config. Stopping happens once, whichever way it is asked for.
 */
final class DaemonSignals {
  private static final Logger log = LoggerFactory.getLogger(DaemonSignals.class);

  private final AutoCloseable service;
  private final Runnable reload;
  private final AtomicBoolean stopping = new AtomicBoolean();

  private DaemonSignals(AutoCloseable service, Runnable reload) {
    this.service = service;
    this.reload = reload;
  }

  /** Blocks until SIGTERM or SIGINT (or any other JVM exit), closing {@code service} first. */
  static void runUntilStopped(AutoCloseable service, Runnable reload) throws InterruptedException {
    DaemonSignals signals = new DaemonSignals(service, reload);
    // Still there for an exit the handlers do not see (System.exit elsewhere, -Xrs).
    Runtime.getRuntime().addShutdownHook(new Thread(signals::stopOnce, "flywall-shutdown"));
    signals.handle("TERM", ignored -> signals.stopAndExit());
    signals.handle("INT", ignored -> signals.stopAndExit());
    signals.handle("HUP", ignored -> signals.reload.run());
    Thread.currentThread().join();
  }

  private void handle(String name, sun.misc.SignalHandler handler) {
    try {
      Signal.handle(new Signal(name), handler);
    } catch (IllegalArgumentException e) {
      // The JVM keeps this signal (run with -Xrs): its default action applies.
      log.warn("cannot handle SIG{}: {}", name, e.getMessage());
    }
  }

  private void stopAndExit() {
    System.exit(stopOnce() ? 0 : 1);
  }

  /** Closes the service the first time; true unless closing failed. */
  private boolean stopOnce() {
    if (!stopping.compareAndSet(false, true)) {
      return true;
    }
    try {
      service.close();
      return true;
    } catch (Exception e) {
      log.error("error while stopping: {}; stopped", e.getMessage());
      return false;
    }
  }
}
