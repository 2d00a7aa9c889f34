package io.flywall.network;

/**
 * Puts virtual IPs on interfaces and takes them off. Both directions are idempotent: adding a
 * present VIP or removing an absent one succeeds. A failure throws {@link NetworkCommandException}.
 */
public interface VipBackend {

  void add(Vip vip);

  void remove(Vip vip);

  /** Whether the VIP is on its interface and usable now. */
  boolean held(Vip vip);
}
