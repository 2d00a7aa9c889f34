package io.flywall.network;

import java.util.Collection;
import java.util.List;

/**
 * The arp_ping partition guard: asks the LAN whether anyone else still answers for the VIPs. Our
 * own MAC never counts as an answer. Throws {@link NetworkCommandException} when the probe itself
 * cannot run (the caller must not read that as "nobody answers").
 */
public interface ArpPing {

  /** Probes every VIP now and returns what each probe found, in the order given. */
  List<ProbeAnswer> probeAll(Collection<Vip> vips);
}
