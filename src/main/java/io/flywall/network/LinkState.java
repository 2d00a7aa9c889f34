package io.flywall.network;

/** Whether a monitored link is up as the kernel sees it; when down, {@code reason} says why. */
public record LinkState(String name, boolean up, String reason) {

  public static LinkState up(String name) {
    return new LinkState(name, true, "up");
  }

  public static final String MISSING = "missing";

  public static LinkState down(String name, String reason) {
    return new LinkState(name, false, reason);
  }

  /** The link does not exist at all. */
  public static LinkState missing(String name) {
    return new LinkState(name, false, MISSING);
  }

  public boolean missing() {
    return !up && MISSING.equals(reason);
  }
}
