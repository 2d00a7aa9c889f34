package io.flywall.network.kernel;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.ptr.IntByReference;

/**
 * The few libc calls the native plane needs, and nothing else: every other class goes through
 * {@link KernelSocket} or {@link NetNamespace}. Socket addresses and option values are passed as
 * byte arrays laid out by the codecs, so what reaches the kernel is exactly what the tests check.
 * {@code size_t} and {@code ssize_t} are {@code long}: Flywall runs on 64-bit Linux only.
 */
interface Libc extends Library {

  int AF_UNSPEC = 0;
  int AF_INET = 2;
  int AF_INET6 = 10;
  int AF_NETLINK = 16;
  int AF_PACKET = 17;

  int SOCK_DGRAM = 2;
  int SOCK_RAW = 3;
  int SOCK_CLOEXEC = 0x80000;

  int SOL_SOCKET = 1;
  int SO_RCVBUF = 8;
  int SO_BINDTODEVICE = 25;
  int SOL_NETLINK = 270;
  int NETLINK_NO_ENOBUFS = 5;
  int NETLINK_EXT_ACK = 11;
  int IPPROTO_IPV6 = 41;
  int IPPROTO_ICMPV6 = 58;
  int IPV6_UNICAST_HOPS = 16;
  int IPV6_MULTICAST_IF = 17;
  int IPV6_MULTICAST_HOPS = 18;
  int IPV6_MULTICAST_LOOP = 19;
  int ICMP6_FILTER = 1;

  int NETLINK_ROUTE = 0;
  int ETH_P_ARP = 0x0806;

  short POLLIN = 0x1;
  int MSG_DONTWAIT = 0x40;
  int O_RDONLY = 0;
  int O_CLOEXEC = 0x80000;
  int CLONE_NEWNET = 0x40000000;

  int EPERM = 1;
  int ENOENT = 2;
  int EINTR = 4;
  int EBADF = 9;
  int EAGAIN = 11;
  int EACCES = 13;
  int EEXIST = 17;
  int ENODEV = 19;
  int EINVAL = 22;
  int ENOBUFS = 105;
  int EADDRNOTAVAIL = 99;
  int ENETDOWN = 100;
  int ENXIO = 6;

  /** Loads libc; throws {@link UnsatisfiedLinkError} when JNA or its native part cannot load. */
  static Libc load() {
    return Native.load("c", Libc.class);
  }

  int socket(int domain, int type, int protocol) throws LastErrorException;

  int bind(int fd, byte[] address, int length) throws LastErrorException;

  int setsockopt(int fd, int level, int name, byte[] value, int length) throws LastErrorException;

  long sendto(int fd, byte[] buffer, long length, int flags, byte[] address, int addressLength)
      throws LastErrorException;

  long recvfrom(
      int fd, byte[] buffer, long length, int flags, byte[] address, IntByReference addressLength)
      throws LastErrorException;

  /** {@code fds} is an array of {@code struct pollfd} (int fd, short events, short revents). */
  int poll(byte[] fds, long count, int timeoutMillis) throws LastErrorException;

  int close(int fd) throws LastErrorException;

  int open(String path, int flags) throws LastErrorException;

  int setns(int fd, int nstype) throws LastErrorException;

  String strerror(int errno);
}
