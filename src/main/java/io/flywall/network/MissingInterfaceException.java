package io.flywall.network;

/** A VIP's interface does not exist (never created, or removed while the node runs). */
public final class MissingInterfaceException extends NetworkCommandException {

  private static final long serialVersionUID = 1L;

  public MissingInterfaceException(Vip vip) {
    super(
        "cannot add VIP "
            + vip
            + ": interface "
            + vip.interfaceName()
            + " does not exist; create it or fix the interface of this virtual_ip in the config");
  }
}
