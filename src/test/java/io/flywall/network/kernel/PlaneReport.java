package io.flywall.network.kernel;

import io.flywall.network.GratuitousAnnouncer;
import io.flywall.network.IprouteVipBackend;
import io.flywall.network.LinkMonitor;
import io.flywall.network.NeighborProbe;
import io.flywall.network.NetworkAlarms;
import io.flywall.network.ProcessCommandRunner;
import java.time.Clock;
import java.time.Duration;

/**
 * Opens the network plane in the namespace this process runs in and prints what it chose, so a test
 * can run it with fewer capabilities than the test JVM has.
 */
final class PlaneReport {

  private PlaneReport() {}

  public static void main(String[] args) {
    ProcessCommandRunner commands = new ProcessCommandRunner();
    NetworkAlarms alarms = new NetworkAlarms();
    try (NetworkPlane plane =
        NetworkPlane.open(
            NetNamespace.current(),
            new NetworkPlane.Fallback(
                new IprouteVipBackend(commands, Duration.ofSeconds(5)),
                new GratuitousAnnouncer(commands, Duration.ofSeconds(5)),
                new NeighborProbe(commands, Clock.systemUTC()),
                new LinkMonitor(commands, Duration.ofSeconds(5))),
            Clock.systemUTC(),
            NetworkPlane.Settings.forHeartbeat(Duration.ofMillis(100)),
            alarms)) {
      System.out.println("native pieces: " + plane.nativePieces());
      alarms
          .raised()
          .forEach((name, detail) -> System.out.println("alarm " + name + ": " + detail));
    }
  }
}
