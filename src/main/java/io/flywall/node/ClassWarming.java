package io.flywall.node;

import java.util.List;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the classes of the heartbeat path and the heavy libraries the node needs right after its
 * first heartbeat (BouncyCastle's TLS for the replication listener, Jackson and Javalin/Jetty for
 * the API) while the starting thread only waits for Argon2id. It begins when that wait begins and
 * takes no new step once the keys are there, so it leaves the first heartbeat alone; it runs on a
 * thread of its own, so the step under way when the keys arrive does not hold the start back (on
 * the starting thread it cost up to half a second of a busy machine's start).
 */
final class ClassWarming {
  private static final Logger log = LoggerFactory.getLogger(ClassWarming.class);

  // Each step is one library's entry point; its static initialisation pulls in the rest.
  private static final List<Runnable> STEPS =
      List.of(
          // First what the heartbeat path builds as soon as the keys are there.
          () -> initialize(ControllerLoop.class),
          () -> initialize(ActionRunner.class),
          () -> initialize(io.flywall.cluster.UdpHeartbeatTransport.class),
          () -> initialize(io.flywall.cluster.HeartbeatSender.class),
          () -> initialize(io.flywall.cluster.HeartbeatReceiver.class),
          () -> initialize(io.flywall.cluster.HeartbeatCodec.class),
          () -> initialize(org.bouncycastle.tls.TlsServerProtocol.class),
          () -> initialize(org.bouncycastle.tls.TlsClientProtocol.class),
          () -> initialize(org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCrypto.class),
          () -> new com.fasterxml.jackson.databind.ObjectMapper(),
          () -> initialize(io.javalin.Javalin.class),
          () -> initialize(org.eclipse.jetty.server.Server.class));

  private ClassWarming() {}

  /** Warms on a thread of its own while {@code awaited} is not done. */
  static void beside(Future<?> awaited) {
    Daemon.daemonThreads("flywall-warm").newThread(() -> whileWaitingFor(awaited)).start();
  }

  /**
   * Warms step after step until {@code awaited} is done or nothing is left; returns how many steps
   * succeeded.
   */
  static int whileWaitingFor(Future<?> awaited) {
    int done = 0;
    long started = System.nanoTime();
    for (Runnable step : STEPS) {
      if (awaited.isDone()) {
        break;
      }
      try {
        step.run();
        done++;
      } catch (RuntimeException | LinkageError e) {
        // Only time is at stake: the class loads again where it is used, and fails there if broken.
        log.debug("warming a library failed: {}", e.toString());
      }
    }
    if (done > 0) {
      log.debug(
          "warmed {} of {} libraries in {} ms while Argon2id ran",
          done,
          STEPS.size(),
          (System.nanoTime() - started) / 1_000_000);
    }
    return done;
  }

  static int steps() {
    return STEPS.size();
  }

  private static void initialize(Class<?> type) {
    try {
      Class.forName(type.getName(), true, type.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(e);
    }
  }
}
