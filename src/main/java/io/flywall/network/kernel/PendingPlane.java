package io.flywall.network.kernel;

import io.flywall.network.Announcer;
import io.flywall.network.ArpPing;
import io.flywall.network.LinkObserver;
import io.flywall.network.LinkState;
import io.flywall.network.NetworkCommandException;
import io.flywall.network.ProbeAnswer;
import io.flywall.network.Vip;
import io.flywall.network.VipBackend;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A {@link NetworkPlane} that opens on a thread of its own while the rest of the node starts
 * (loading JNA's native part costs a few hundred milliseconds on a busy machine); its pieces wait
 * for it on first use.
 */
public final class PendingPlane implements AutoCloseable {

  private final CompletableFuture<NetworkPlane> opening;

  private PendingPlane(CompletableFuture<NetworkPlane> opening) {
    this.opening = opening;
  }

  /** Starts {@code open} now on a daemon thread. */
  public static PendingPlane start(Supplier<NetworkPlane> open) {
    CompletableFuture<NetworkPlane> opening = new CompletableFuture<>();
    Thread thread =
        new Thread(
            () -> {
              try {
                opening.complete(open.get());
              } catch (RuntimeException | LinkageError e) {
                opening.completeExceptionally(e);
              }
            },
            "network-plane-open");
    thread.setDaemon(true);
    thread.start();
    return new PendingPlane(opening);
  }

  /** The plane, once open; throws when opening failed in a way the plane could not fall back. */
  public NetworkPlane await() {
    try {
      return opening.join();
    } catch (CompletionException e) {
      throw new NetworkCommandException(
          "the network plane could not be opened: " + e.getCause().getMessage());
    }
  }

  /** Runs {@code action} with the plane once it is open (at once if it is). */
  public void whenOpen(Consumer<NetworkPlane> action) {
    opening.thenAccept(action);
  }

  public VipBackend vips() {
    return new VipBackend() {
      @Override
      public void add(Vip vip) {
        await().vips().add(vip);
      }

      @Override
      public void remove(Vip vip) {
        await().vips().remove(vip);
      }

      @Override
      public boolean held(Vip vip) {
        return await().vips().held(vip);
      }
    };
  }

  public Announcer announcer() {
    return new Announcer() {
      @Override
      public void announce(Collection<Vip> vips, int count) {
        await().announcer().announce(vips, count);
      }

      @Override
      public void prepare(Collection<Vip> vips) {
        await().announcer().prepare(vips);
      }
    };
  }

  public ArpPing arpPing() {
    return new ArpPing() {
      @Override
      public List<ProbeAnswer> probeAll(Collection<Vip> vips) {
        return await().arpPing().probeAll(vips);
      }

      @Override
      public List<ProbeAnswer> probeSince(Collection<Vip> vips, Instant since) {
        return await().arpPing().probeSince(vips, since);
      }

      @Override
      public void start(Collection<Vip> vips) {
        await().arpPing().start(vips);
      }

      @Override
      public void prepare(Collection<Vip> vips) {
        await().arpPing().prepare(vips);
      }

      @Override
      public void stop() {
        // Not open yet: nothing was started.
        if (opening.isDone() && !opening.isCompletedExceptionally()) {
          opening.join().arpPing().stop();
        }
      }

      @Override
      public void close() {
        if (opening.isDone() && !opening.isCompletedExceptionally()) {
          opening.join().arpPing().close();
        }
      }
    };
  }

  public LinkObserver links() {
    return new LinkObserver() {
      @Override
      public List<LinkState> observe(Collection<String> names) {
        return await().links().observe(names);
      }

      @Override
      public void onChange(Runnable listener) {
        whenOpen(plane -> plane.links().onChange(listener));
      }
    };
  }

  @Override
  public void close() {
    opening.thenAccept(NetworkPlane::close);
  }
}
