package io.flywall.network;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Optional;

/** Whether a monitored gateway answered an ICMP echo, and its round-trip time when it did. */
public record GatewayState(InetAddress gateway, boolean answered, Optional<Duration> rtt) {

  public String host() {
    return Vip.canonical(gateway);
  }
}
