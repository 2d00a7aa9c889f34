package io.flywall.chaos;

/**
 * One planned fault of a group: its kind, whom it hits (resolved when it runs, since the primary
 * moves), when it starts after the group's start and how long it lasts.
 *
 * @param pick which of the candidate nodes to take (modulo their number), so that the choice is
 *     fixed by the seed even though the candidates are only known at run time
 * @param param the kind's detail: direction of a one-way cut, percent of loss; empty otherwise
 */
record Fault(
    FaultKind kind, Target target, int pick, long offsetMs, long durationMs, String param) {

  /** The role of the node hit, as seen when the fault starts. */
  enum Target {
    PRIMARY,
    BACKUP
  }

  String describe() {
    return kind.name().toLowerCase(java.util.Locale.ROOT)
        + (param.isEmpty() ? "" : "(" + param + ")")
        + " on "
        + target.name().toLowerCase(java.util.Locale.ROOT)
        + (kind.lasting() ? " for " + durationMs + " ms" : "");
  }
}
