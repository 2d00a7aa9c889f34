package io.flywall.network.kernel;

import io.flywall.network.NetworkCommandException;
import java.util.Map;

/**
 * The kernel refused a request, or a native socket failed. Carries the errno, its name and text,
 * and what an operator should do about it. {@link #socketFault()} tells a broken socket (the plane
 * itself failed: fall back or reopen) from a refusal of one request (the request was wrong for the
 * kernel's state: e.g. the interface does not exist).
 */
public final class KernelException extends NetworkCommandException {

  private static final long serialVersionUID = 1L;

  private static final Map<Integer, String> NAMES =
      Map.ofEntries(
          Map.entry(Libc.EPERM, "EPERM"),
          Map.entry(Libc.ENOENT, "ENOENT"),
          Map.entry(Libc.EINTR, "EINTR"),
          Map.entry(Libc.ENXIO, "ENXIO"),
          Map.entry(Libc.EBADF, "EBADF"),
          Map.entry(Libc.EAGAIN, "EAGAIN"),
          Map.entry(Libc.EACCES, "EACCES"),
          Map.entry(Libc.EEXIST, "EEXIST"),
          Map.entry(Libc.ENODEV, "ENODEV"),
          Map.entry(Libc.EINVAL, "EINVAL"),
          Map.entry(Libc.EADDRNOTAVAIL, "EADDRNOTAVAIL"),
          Map.entry(Libc.ENETDOWN, "ENETDOWN"),
          Map.entry(Libc.ENOBUFS, "ENOBUFS"));

  private final int errno;
  private final boolean socketFault;

  KernelException(String what, int errno, String errnoText, String advice, boolean socketFault) {
    super(
        what
            + ": "
            + name(errno)
            + " ("
            + errnoText
            + ")"
            + (advice.isEmpty() ? "" : "; " + advice));
    this.errno = errno;
    this.socketFault = socketFault;
  }

  private KernelException(String message, KernelException cause) {
    super(message);
    this.errno = cause.errno;
    this.socketFault = cause.socketFault;
    initCause(cause);
  }

  /** Several failures told as one, typed like {@code cause}. */
  static KernelException combined(String message, KernelException cause) {
    return new KernelException(message, cause);
  }

  /** A socket that stopped working; {@code advice} says what to do. */
  static KernelException socket(String what, int errno, String errnoText, String advice) {
    return new KernelException(what, errno, errnoText, advice, true);
  }

  /** The kernel said no to one request (an NLMSG_ERROR). */
  static KernelException refused(String what, int errno, String errnoText, String advice) {
    return new KernelException(what, errno, errnoText, advice, false);
  }

  public int errno() {
    return errno;
  }

  public boolean socketFault() {
    return socketFault;
  }

  static String name(int errno) {
    return NAMES.getOrDefault(errno, "errno " + errno);
  }

  /** What an operator can do about an errno on a socket or a request. */
  static String advice(int errno) {
    if (errno == Libc.EPERM || errno == Libc.EACCES) {
      return "run flywall as root or grant it CAP_NET_ADMIN and CAP_NET_RAW";
    }
    if (errno == Libc.ENODEV || errno == Libc.ENXIO) {
      return "the interface does not exist: create it or fix the interface named in the config";
    }
    if (errno == Libc.ENETDOWN) {
      return "the interface is down: bring it up (ip link set dev IF up)";
    }
    if (errno == Libc.ENOBUFS) {
      return "the kernel dropped messages under load; they are re-read";
    }
    return "";
  }
}
