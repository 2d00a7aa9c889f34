package io.flywall.network.kernel;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * An rtnetlink socket (AF_NETLINK, NETLINK_ROUTE). {@link #exchange} sends one request and collects
 * the answer to it (an acknowledgement, a reply, or a dump up to NLMSG_DONE); an NLMSG_ERROR with
 * an errno becomes a {@link KernelException} refusal. A socket bound to multicast groups delivers
 * events through {@link #receive}.
 */
final class NetlinkSocket implements AutoCloseable {

  static final int RTMGRP_LINK = 0x1;

  private static final int BUFFER = 64 * 1024;
  private static final int ANSWER_TIMEOUT_MILLIS = 2000;

  private final Libc libc;
  private final KernelSocket socket;
  private final byte[] buffer = new byte[BUFFER];
  private int sequence;

  private NetlinkSocket(Libc libc, KernelSocket socket) {
    this.libc = libc;
    this.socket = socket;
  }

  /** Opens a socket in {@code namespace}; {@code groups} non-zero subscribes to those events. */
  static NetlinkSocket open(Libc libc, NetNamespace namespace, int groups) {
    KernelSocket socket =
        namespace.inside(
            libc,
            () ->
                KernelSocket.open(
                    libc, Libc.AF_NETLINK, Libc.SOCK_RAW, Libc.NETLINK_ROUTE, "rtnetlink socket"));
    try {
      try {
        // The kernel's own words on a refusal ("prefix length is invalid") go into our errors.
        socket.option(Libc.SOL_NETLINK, Libc.NETLINK_EXT_ACK, 1);
      } catch (KernelException e) {
        // Kernels before 4.12: errors carry the errno alone.
      }
      if (groups != 0) {
        socket.option(Libc.SOL_SOCKET, Libc.SO_RCVBUF, 1 << 20);
      }
      socket.bind(address(groups));
      return new NetlinkSocket(libc, socket);
    } catch (RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  /** {@code struct sockaddr_nl}: family, pad, port (0: the kernel assigns one), groups. */
  static byte[] address(int groups) {
    return ByteBuffer.allocate(12)
        .order(ByteOrder.nativeOrder())
        .putShort((short) Libc.AF_NETLINK)
        .putShort((short) 0)
        .putInt(0)
        .putInt(groups)
        .array();
  }

  /**
   * Sends one request and returns the messages that answer it (without the final acknowledgement or
   * NLMSG_DONE). An errno in {@code accepted} counts as success (e.g. EEXIST for an add).
   */
  synchronized List<NetlinkMessage> exchange(
      int type, int flags, byte[] payload, String what, int... accepted) {
    int seq = ++sequence;
    byte[] request =
        new NetlinkMessage(type, flags | NetlinkMessage.NLM_F_REQUEST, seq, 0, payload).encode();
    socket.send(request, request.length, address(0));
    List<NetlinkMessage> answer = new ArrayList<>();
    while (true) {
      int length = socket.receive(buffer, null, ANSWER_TIMEOUT_MILLIS);
      if (length < 0) {
        throw KernelException.socket(
            what,
            Libc.EAGAIN,
            "no answer from the kernel within " + ANSWER_TIMEOUT_MILLIS + " ms",
            "the rtnetlink socket is reopened on the next request");
      }
      for (NetlinkMessage message : NetlinkMessage.decode(buffer, length)) {
        if (message.sequence() != seq) {
          continue; // a late answer to an earlier request that timed out
        }
        if (message.type() == NetlinkMessage.NLMSG_ERROR) {
          int errno = message.errno();
          if (errno == 0 || contains(accepted, errno)) {
            return answer;
          }
          throw refusal(what, errno, message.extendedMessage());
        }
        if (message.type() == NetlinkMessage.NLMSG_DONE) {
          int errno = message.payload().length >= 4 ? message.errno() : 0;
          if (errno != 0) {
            throw refusal(what, errno, message.extendedMessage());
          }
          return answer;
        }
        answer.add(message);
        if ((flags & NetlinkMessage.NLM_F_DUMP) == 0
            && (flags & NetlinkMessage.NLM_F_ACK) == 0
            && (message.flags() & NetlinkMessage.NLM_F_MULTI) == 0) {
          return answer; // a single reply to a plain get
        }
      }
    }
  }

  private KernelException refusal(String what, int errno, String kernelWords) {
    String text = libc.strerror(errno) + (kernelWords.isEmpty() ? "" : ": " + kernelWords);
    return KernelException.refused(what, errno, text, KernelException.advice(errno));
  }

  /** The next datagram's messages (events), or an empty list when none came within the timeout. */
  List<NetlinkMessage> receive(int timeoutMillis) {
    int length = socket.receive(buffer, null, timeoutMillis);
    return length < 0 ? List.of() : NetlinkMessage.decode(buffer, length);
  }

  @Override
  public void close() {
    socket.close();
  }

  private static boolean contains(int[] values, int value) {
    for (int candidate : values) {
      if (candidate == value) {
        return true;
      }
    }
    return false;
  }
}
