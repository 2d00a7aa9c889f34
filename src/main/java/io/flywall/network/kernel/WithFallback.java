package io.flywall.network.kernel;

import io.flywall.network.Announcer;
import io.flywall.network.ArpPing;
import io.flywall.network.NetworkAlarms;
import io.flywall.network.ProbeAnswer;
import io.flywall.network.Vip;
import io.flywall.network.VipBackend;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;

/**
 * The native VIP backend, announcer and arp_ping, each backed by its iproute2/arping counterpart:
 * when a native socket fails mid-run (not when the kernel refuses one request), the same call is
 * carried out by the fallback, the alarm {@code native_network_fault} says what broke, and the next
 * call tries the native way again (its socket is reopened); the first native success clears the
 * alarm. A takeover is slower meanwhile, never skipped.
 */
final class WithFallback {

  private final NetworkAlarms alarms;

  WithFallback(NetworkAlarms alarms) {
    this.alarms = alarms;
  }

  VipBackend vips(VipBackend kernel, VipBackend fallback) {
    return new VipBackend() {
      @Override
      public void add(Vip vip) {
        attempt(
            "adding " + vip, () -> run(() -> kernel.add(vip)), () -> run(() -> fallback.add(vip)));
      }

      @Override
      public void remove(Vip vip) {
        attempt(
            "removing " + vip,
            () -> run(() -> kernel.remove(vip)),
            () -> run(() -> fallback.remove(vip)));
      }

      @Override
      public boolean held(Vip vip) {
        return attempt("reading " + vip, () -> kernel.held(vip), () -> fallback.held(vip));
      }
    };
  }

  Announcer announcer(Announcer kernel, Announcer fallback) {
    return new Announcer() {
      @Override
      public void announce(Collection<Vip> vips, int count) {
        attempt(
            "announcing " + vips,
            () -> run(() -> kernel.announce(vips, count)),
            () -> run(() -> fallback.announce(vips, count)));
      }

      @Override
      public void prepare(Collection<Vip> vips) {
        attempt(
            "opening the announcement sockets for " + vips,
            () -> run(() -> kernel.prepare(vips)),
            () -> run(() -> fallback.prepare(vips)));
      }
    };
  }

  ArpPing arpPing(ArpPing kernel, ArpPing fallback) {
    return new ArpPing() {
      @Override
      public List<ProbeAnswer> probeAll(Collection<Vip> vips) {
        return attempt(
            "probing " + vips, () -> kernel.probeAll(vips), () -> fallback.probeAll(vips));
      }

      @Override
      public List<ProbeAnswer> probeSince(Collection<Vip> vips, Instant since) {
        // The fallback probes now, after since: it is slower, never less safe.
        return attempt(
            "probing " + vips, () -> kernel.probeSince(vips, since), () -> fallback.probeAll(vips));
      }

      @Override
      public void start(Collection<Vip> vips) {
        // A socket that breaks here is seen again by the verdict, which then falls back.
        attempt("starting arp_ping for " + vips, () -> run(() -> kernel.start(vips)), () -> null);
      }

      @Override
      public void prepare(Collection<Vip> vips) {
        attempt(
            "opening the arp_ping sockets for " + vips,
            () -> run(() -> kernel.prepare(vips)),
            () -> null);
      }

      @Override
      public void stop() {
        kernel.stop();
      }

      @Override
      public void close() {
        kernel.close();
      }
    };
  }

  private <T> T attempt(String what, Supplier<T> kernel, Supplier<T> fallback) {
    T result;
    try {
      result = kernel.get();
    } catch (KernelException e) {
      if (!e.socketFault()) {
        throw e;
      }
      alarms.raise(
          NetworkAlarms.NATIVE_NETWORK_FAULT,
          what
              + " through the kernel failed ("
              + e.getMessage()
              + "); done with ip/arping/ndisc6 instead, which is slower");
      return fallback.get();
    } catch (LinkageError e) {
      alarms.raise(
          NetworkAlarms.NATIVE_NETWORK_FAULT,
          what + ": native code failed (" + e + "); done with ip/arping/ndisc6 instead");
      return fallback.get();
    }
    alarms.clear(NetworkAlarms.NATIVE_NETWORK_FAULT, what + " through the kernel works again");
    return result;
  }

  private static Void run(Runnable action) {
    action.run();
    return null;
  }
}
