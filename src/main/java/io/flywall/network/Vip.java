package io.flywall.network;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Objects;

/** A virtual IP: an address with its prefix length, held on one interface. */
public record Vip(InetAddress address, int prefixLength, String interfaceName) {

    public Vip {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(interfaceName, "interfaceName");
        int max = address instanceof Inet4Address ? 32 : 128;
        if (prefixLength < 0 || prefixLength > max) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " out of range 0.." + max
                    + " for " + address.getHostAddress());
        }
        if (interfaceName.isBlank()) {
            throw new IllegalArgumentException("interface name is empty");
        }
    }

    public boolean ipv6() {
        return address instanceof Inet6Address;
    }

    /** The address as iproute2 and the scripts' FLYWALL_VIPS see it: {@code 10.0.0.100/24}. */
    public String cidr() {
        return host() + "/" + prefixLength;
    }

    /** The address alone, without a scope suffix. */
    public String host() {
        String text = address.getHostAddress();
        int scope = text.indexOf('%');
        return scope < 0 ? text : text.substring(0, scope);
    }

    @Override
    public String toString() {
        return cidr() + " on " + interfaceName;
    }
}
