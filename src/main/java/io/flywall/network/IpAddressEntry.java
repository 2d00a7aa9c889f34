package io.flywall.network;

import java.net.InetAddress;

/** One address of an interface as {@code ip -j addr show} reports it. */
public record IpAddressEntry(
    InetAddress address,
    int prefixLength,
    boolean tentative,
    boolean dadFailed,
    boolean secondary) {

  /** Usable by the kernel: not still in, nor failed, duplicate address detection. */
  public boolean usable() {
    return !tentative && !dadFailed;
  }
}
