package io.flywall.config;

/** One {@code virtual_ip} block: an address the primary holds on an interface. */
public record VirtualIpConfig(
    Cidr address, String interfaceName, boolean arpPing, boolean gratuitousArp) {}
