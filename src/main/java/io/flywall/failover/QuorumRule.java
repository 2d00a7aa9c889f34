package io.flywall.failover;

/**
 * How many voters a node must see to become or stay primary. Voters are this node, its configured
 * peers and the witness; without a required majority every node "has quorum".
 */
record QuorumRule(int voters, int required) {

  static QuorumRule of(ControllerSettings settings) {
    int voters = 1 + settings.configuredPeers() + (settings.hasWitness() ? 1 : 0);
    boolean majority =
        switch (settings.quorumMode()) {
          case MAJORITY -> true;
          case AUTO -> voters >= 3;
          case NONE -> false;
        };
    return new QuorumRule(voters, majority ? voters / 2 + 1 : 0);
  }

  boolean isRequired() {
    return required > 0;
  }

  boolean isMetBy(int visible) {
    return visible >= required;
  }

  String describe(int visible) {
    return "sees " + visible + " of " + voters + " voters, needs " + required;
  }
}
