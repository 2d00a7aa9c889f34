package io.flywall.network;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** One interface as {@code ip -j addr show} (or {@code ip -j link show}) reports it. */
public record IpLink(
    String name,
    Set<String> flags,
    String operstate,
    Optional<MacAddress> mac,
    List<IpAddressEntry> addresses) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public IpLink {
    flags = Set.copyOf(flags);
    addresses = List.copyOf(addresses);
  }

  /** Parses the JSON array iproute2 prints with {@code -j}; an empty output is no interface. */
  public static List<IpLink> parse(String json) {
    if (json.isBlank()) {
      return List.of();
    }
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new NetworkCommandException("cannot parse iproute2 JSON: " + e.getOriginalMessage());
    }
    if (!root.isArray()) {
      throw new NetworkCommandException("cannot parse iproute2 JSON: expected an array");
    }
    List<IpLink> links = new ArrayList<>();
    for (JsonNode node : root) {
      // "ip -j addr show" prints an empty object for a filtered-out entry.
      if (node.hasNonNull("ifname")) {
        links.add(link(node));
      }
    }
    return links;
  }

  private static IpLink link(JsonNode node) {
    Set<String> flags = new TreeSet<>();
    node.path("flags").forEach(flag -> flags.add(flag.asText()));
    Optional<MacAddress> mac = Optional.empty();
    if ("ether".equals(node.path("link_type").asText()) && node.hasNonNull("address")) {
      mac = Optional.of(MacAddress.of(node.get("address").asText()));
    }
    List<IpAddressEntry> addresses = new ArrayList<>();
    for (JsonNode info : node.path("addr_info")) {
      if (info.hasNonNull("local")) {
        addresses.add(
            new IpAddressEntry(
                literal(info.get("local").asText()),
                info.path("prefixlen").asInt(),
                info.path("tentative").asBoolean(false),
                info.path("dadfailed").asBoolean(false),
                info.path("secondary").asBoolean(false)));
      }
    }
    return new IpLink(
        node.get("ifname").asText(),
        flags,
        node.path("operstate").asText("UNKNOWN"),
        mac,
        addresses);
  }

  private static InetAddress literal(String text) {
    try {
      // A literal never triggers a DNS lookup.
      return InetAddress.getByName(text);
    } catch (UnknownHostException e) {
      throw new NetworkCommandException("iproute2 reported a malformed address: " + text);
    }
  }

  /** Whether this interface carries {@code address/prefixLength} in a usable state. */
  public boolean holds(InetAddress address, int prefixLength) {
    return addresses.stream()
        .anyMatch(
            entry ->
                entry.usable()
                    && entry.prefixLength() == prefixLength
                    && entry.address().equals(address));
  }
}
