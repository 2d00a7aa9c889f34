package io.flywall.failover;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The ordered steps of a role change. Taking over persists the epoch first and commits state before
 * the VIPs move; releasing removes the VIPs first so two nodes never answer for them.
 */
final class RoleChangeSteps {

  private RoleChangeSteps() {}

  static List<Action> takeover(
      TransitionType type, Role from, long epoch, String cause, Instant now) {
    return List.of(
        new Action.PersistEpoch(epoch),
        new Action.SwitchReplicationRole(Role.PRIMARY),
        new Action.CommitConnectionState(),
        new Action.RunScript(ScriptPhase.PRE, type, from, Role.PRIMARY, epoch, cause),
        new Action.AddVips(),
        new Action.Announce(Optional.empty()),
        new Action.RunScript(ScriptPhase.POST, type, from, Role.PRIMARY, epoch, cause),
        new Action.Record(new Transition(type, from, Role.PRIMARY, epoch, cause, now)));
  }

  static List<Action> release(
      TransitionType type,
      Role to,
      long epoch,
      String cause,
      Optional<Handover> handover,
      Instant now) {
    return List.of(
        new Action.RemoveVips(),
        new Action.Announce(handover),
        new Action.SwitchReplicationRole(Role.BACKUP),
        new Action.RunScript(ScriptPhase.PRE, type, Role.PRIMARY, to, epoch, cause),
        new Action.RunScript(ScriptPhase.POST, type, Role.PRIMARY, to, epoch, cause),
        new Action.Record(new Transition(type, Role.PRIMARY, to, epoch, cause, now)));
  }
}
