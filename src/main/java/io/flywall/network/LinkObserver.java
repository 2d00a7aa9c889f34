package io.flywall.network;

import java.util.Collection;
import java.util.List;

/** The kernel's view of the monitored links; a missing or unreadable link is down. */
public interface LinkObserver {

  /** The state of each named link, in the order given. */
  List<LinkState> observe(Collection<String> names);

  /**
   * Asks to be told when a link may have changed, so a watcher need not poll; {@code listener} runs
   * on the observer's thread and must return quickly. An observer that polls never calls it.
   */
  default void onChange(Runnable listener) {}
}
