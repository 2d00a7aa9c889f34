package io.flywall.network.kernel;

import com.sun.jna.LastErrorException;
import com.sun.jna.ptr.IntByReference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One native socket descriptor: open, bind, options, send, receive with a deadline, close. Every
 * failure becomes a {@link KernelException} naming the socket ({@code what}) and the errno.
 * Receiving polls first, so a reader thread wakes at least every timeout and can notice a close.
 */
final class KernelSocket implements AutoCloseable {

  private final Libc libc;
  private final int fd;
  private final String what;
  private volatile boolean closed;

  private KernelSocket(Libc libc, int fd, String what) {
    this.libc = libc;
    this.fd = fd;
    this.what = what;
  }

  static KernelSocket open(Libc libc, int domain, int type, int protocol, String what) {
    try {
      return new KernelSocket(libc, libc.socket(domain, type | Libc.SOCK_CLOEXEC, protocol), what);
    } catch (LastErrorException e) {
      throw fault(libc, "cannot open the " + what, e);
    }
  }

  void bind(byte[] address) {
    try {
      libc.bind(fd, address, address.length);
    } catch (LastErrorException e) {
      throw fault(libc, "cannot bind the " + what, e);
    }
  }

  void option(int level, int name, byte[] value) {
    try {
      libc.setsockopt(fd, level, name, value, value.length);
    } catch (LastErrorException e) {
      throw fault(libc, "cannot set option " + level + "/" + name + " on the " + what, e);
    }
  }

  void option(int level, int name, int value) {
    option(
        level, name, ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(value).array());
  }

  void send(byte[] data, int length, byte[] address) {
    try {
      long sent = libc.sendto(fd, data, length, 0, address, address == null ? 0 : address.length);
      if (sent != length) {
        throw KernelException.socket(
            "the " + what + " sent " + sent + " of " + length + " bytes",
            Libc.EAGAIN,
            "short send",
            "");
      }
    } catch (LastErrorException e) {
      throw fault(libc, "cannot send on the " + what, e);
    }
  }

  /**
   * Waits up to {@code timeoutMillis} for a datagram; returns its length, or -1 when none came.
   * {@code from}, when not null, receives the sender's socket address.
   */
  int receive(byte[] buffer, byte[] from, int timeoutMillis) {
    byte[] pollfd =
        ByteBuffer.allocate(8)
            .order(ByteOrder.nativeOrder())
            .putInt(fd)
            .putShort(Libc.POLLIN)
            .array();
    try {
      if (libc.poll(pollfd, 1, timeoutMillis) == 0) {
        return -1;
      }
      IntByReference fromLength = new IntByReference(from == null ? 0 : from.length);
      // Without waiting: another thread may have read the datagram poll saw (LanProbe reads what
      // is queued before a verdict), and a blocked read would not see its socket being closed.
      return (int) libc.recvfrom(fd, buffer, buffer.length, Libc.MSG_DONTWAIT, from, fromLength);
    } catch (LastErrorException e) {
      if (e.getErrorCode() == Libc.EINTR || e.getErrorCode() == Libc.EAGAIN) {
        return -1;
      }
      throw fault(libc, "cannot receive on the " + what, e);
    }
  }

  boolean closed() {
    return closed;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      try {
        libc.close(fd);
      } catch (LastErrorException e) {
        // Closing a descriptor the kernel already considers gone leaves nothing to release.
      }
    }
  }

  static KernelException fault(Libc libc, String what, LastErrorException e) {
    int errno = e.getErrorCode();
    return KernelException.socket(what, errno, libc.strerror(errno), KernelException.advice(errno));
  }
}
