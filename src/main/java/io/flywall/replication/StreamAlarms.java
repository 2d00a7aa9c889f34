package io.flywall.replication;

import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams that failed with an error (not a plain disconnect), one entry per peer, shown as the
 * {@value #NAME} alarm until that peer's stream works again. The stream itself is retried: the
 * replica reconnects with backoff; the alarm is how an operator learns it keeps failing.
 */
final class StreamAlarms {
  static final String NAME = "replication_stream";

  private static final Logger log = LoggerFactory.getLogger(StreamAlarms.class);

  private final Map<String, String> raised = new TreeMap<>();

  synchronized void raise(String peer, String detail) {
    if (!detail.equals(raised.put(peer, detail))) {
      log.warn("ALARM {}: stream with {}: {}", NAME, peer, detail);
    }
  }

  synchronized void clear(String peer) {
    if (raised.remove(peer) != null) {
      log.info("alarm {} cleared: the stream with {} works again", NAME, peer);
    }
  }

  /** The alarm's detail, or null while no stream is failing. */
  synchronized String detail() {
    if (raised.isEmpty()) {
      return null;
    }
    StringJoiner all = new StringJoiner("; ");
    raised.forEach((peer, detail) -> all.add("stream with " + peer + ": " + detail));
    return all.toString();
  }
}
