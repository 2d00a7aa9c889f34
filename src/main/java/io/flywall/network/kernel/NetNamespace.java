package io.flywall.network.kernel;

import com.sun.jna.LastErrorException;
import java.util.function.Supplier;

/**
 * The network namespace native sockets are opened in. A socket belongs for life to the namespace
 * its creating thread was in, so {@link #named} switches the calling thread into {@code
 * /run/netns/NAME} just for the {@code socket()} call and back again. The daemon uses {@link
 * #current()}; the labs use {@link #named} to drive a node namespace from the test JVM.
 */
public final class NetNamespace {

  private final String name;

  private NetNamespace(String name) {
    this.name = name;
  }

  /** The namespace of the calling process. */
  public static NetNamespace current() {
    return new NetNamespace(null);
  }

  /** A namespace created by {@code ip netns add NAME}. */
  public static NetNamespace named(String name) {
    if (name.isBlank() || name.contains("/")) {
      throw new IllegalArgumentException("not a network namespace name: '" + name + "'");
    }
    return new NetNamespace(name);
  }

  /** Runs {@code action} (which opens sockets) inside this namespace, on the calling thread. */
  <T> T inside(Libc libc, Supplier<T> action) {
    if (name == null) {
      return action.get();
    }
    int home = openNamespace(libc, "/proc/thread-self/ns/net");
    try {
      int target = openNamespace(libc, "/run/netns/" + name);
      try {
        enter(libc, target, "network namespace " + name);
      } finally {
        libc.close(target);
      }
      try {
        return action.get();
      } finally {
        // A thread left in the wrong namespace would open every later socket there: never return.
        enter(libc, home, "the thread's own network namespace");
      }
    } finally {
      libc.close(home);
    }
  }

  private static int openNamespace(Libc libc, String path) {
    try {
      return libc.open(path, Libc.O_RDONLY | Libc.O_CLOEXEC);
    } catch (LastErrorException e) {
      throw KernelSocket.fault(libc, "cannot open " + path, e);
    }
  }

  private static void enter(Libc libc, int fd, String what) {
    try {
      libc.setns(fd, Libc.CLONE_NEWNET);
    } catch (LastErrorException e) {
      throw KernelSocket.fault(libc, "cannot enter " + what, e);
    }
  }

  @Override
  public String toString() {
    return name == null ? "the current network namespace" : "network namespace " + name;
  }
}
