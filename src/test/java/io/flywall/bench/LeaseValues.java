package io.flywall.bench;

import io.flywall.state.WriteOp;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The values the replication benchmarks write: a DHCP lease as JSON, about 70 bytes, distinct per
 * number. Built by hand: {@code String.format} cost more CPU than a replicated change's share of
 * the sender, and the benchmarks count the writers' CPU with the nodes'.
 */
public final class LeaseValues {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private LeaseValues() {}

  /**
   * Puts of leases {@code first} to {@code first + size - 1} into {@code dhcp_leases}, keys cycling
   * over 2,000,000 (what the in-process benchmarks write).
   */
  public static List<WriteOp> puts(long first, int size) {
    return puts(first, size, 2_000_000);
  }

  /** The same with keys cycling over {@code keys}: past the first round, each put renews one. */
  public static List<WriteOp> puts(long first, int size, long keys) {
    List<WriteOp> ops = new ArrayList<>(size);
    for (long i = first; i < first + size; i++) {
      ops.add(
          WriteOp.put(
              "dhcp_leases",
              "lease-" + (i % keys),
              of(i).getBytes(StandardCharsets.UTF_8),
              Optional.empty()));
    }
    return ops;
  }

  /** {@code {"ip":"10.a.b.c","mac":"02:00:00:aa:bb:cc","expires":86400}} for {@code i}. */
  public static String of(long i) {
    int a = (int) (i >> 16 & 255);
    int b = (int) (i >> 8 & 255);
    int c = (int) (i & 255);
    StringBuilder s = new StringBuilder(72).append("{\"ip\":\"10.");
    s.append(a).append('.').append(b).append('.').append(c).append("\",\"mac\":\"02:00:00:");
    hex(s, a).append(':');
    hex(s, b).append(':');
    hex(s, c);
    return s.append("\",\"expires\":86400}").toString();
  }

  private static StringBuilder hex(StringBuilder s, int octet) {
    return s.append(HEX[octet >> 4]).append(HEX[octet & 15]);
  }
}
