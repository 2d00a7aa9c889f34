package io.flywall.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.flywall.cluster.DecodeResult;
import io.flywall.cluster.Heartbeat;
import io.flywall.cluster.HeartbeatCodec;
import io.flywall.cluster.HeartbeatCommand;
import io.flywall.failover.PeerHeartbeat;
import io.flywall.failover.Role;
import io.flywall.failover.StandbyRequest;
import io.flywall.testing.PeerHeartbeats;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HeartbeatMappingTest {
  private static final long BOOT_ID = 7;

  private static PeerHeartbeat backupFollowing(Optional<String> primary) {
    return new PeerHeartbeat(
        "fw3",
        4,
        Role.BACKUP,
        150,
        true,
        false,
        true,
        77,
        3,
        true,
        true,
        2,
        Optional.empty(),
        false,
        false,
        primary,
        Optional.empty(),
        BOOT_ID);
  }

  private static PeerHeartbeat throughTheWire(PeerHeartbeat own) {
    return throughTheWire(own, HeartbeatCommand.NONE);
  }

  private static PeerHeartbeat throughTheWire(PeerHeartbeat own, HeartbeatCommand command) {
    Heartbeat heartbeat =
        new Heartbeat(
            own.nodeId(),
            own.bootId(),
            1,
            1_764_150_000_000L,
            HeartbeatMapping.toWire(own, "192.0.2.3:9001"),
            Heartbeat.Echo.NONE,
            command);
    return HeartbeatMapping.toController(heartbeat);
  }

  @Test
  void aHeartbeatClaimsNoHealthBeforeTheMonitorsWereJudged() {
    PeerHeartbeat own = backupFollowing(Optional.empty());
    assertThat(own.healthy()).isTrue();
    assertThat(HeartbeatMapping.toWire(own, "192.0.2.3:9001", false).has(Heartbeat.Flag.HEALTHY))
        .isFalse();
    assertThat(HeartbeatMapping.toWire(own, "192.0.2.3:9001", true).has(Heartbeat.Flag.HEALTHY))
        .isTrue();
  }

  @Test
  void aStartingSendersHealthArrivesAsPendingNotAsUnhealthy() {
    PeerHeartbeat own = backupFollowing(Optional.empty());
    Heartbeat starting =
        new Heartbeat(
            own.nodeId(),
            own.bootId(),
            1,
            1_764_150_000_000L,
            HeartbeatMapping.toWire(own, "192.0.2.3:9001", false),
            Heartbeat.Echo.NONE,
            HeartbeatCommand.NONE);
    HeartbeatCodec codec = new HeartbeatCodec(new byte[32]);
    byte[] datagram = codec.encode(starting);
    PeerHeartbeat heard =
        HeartbeatMapping.toController(
            ((DecodeResult.Accepted) codec.decode(datagram, datagram.length)).heartbeat());
    assertThat(heard.healthy()).isFalse();
    assertThat(heard.healthPending()).isTrue();
    // Judged unhealthy: neither flag.
    PeerHeartbeat sick = PeerHeartbeats.withHealth(own, false, false, own.bootId());
    assertThat(HeartbeatMapping.toWire(sick, "192.0.2.3:9001", false).flags())
        .doesNotContain(Heartbeat.Flag.HEALTHY, Heartbeat.Flag.HEALTH_PENDING);
    assertThat(throughTheWire(sick).healthPending()).isFalse();
  }

  @Test
  void thePrimaryASenderFollowsReachesThePeersController() {
    // A primary that cannot hear fw1 learns of it only this way (Fencing: an unheard rival).
    PeerHeartbeat own = backupFollowing(Optional.of("fw1"));
    assertThat(throughTheWire(own)).isEqualTo(own);
  }

  @Test
  void aSenderThatFollowsNoPrimaryNamesNone() {
    PeerHeartbeat own = backupFollowing(Optional.empty());
    assertThat(throughTheWire(own).followedPrimary()).isEmpty();
    assertThat(throughTheWire(own)).isEqualTo(own);
  }

  @Test
  void aStandbyRequestGoesOnlyToTheNodeItConcernsAndReachesItsController() {
    PeerHeartbeat plain = backupFollowing(Optional.of("fw1"));
    StandbyRequest request = new StandbyRequest("fw2", true, 1_764_150_000_123L);
    PeerHeartbeat asking =
        new PeerHeartbeat(
            plain.nodeId(),
            plain.epoch(),
            plain.role(),
            plain.priority(),
            plain.healthy(),
            plain.healthPending(),
            plain.inSync(),
            plain.replicationPosition(),
            plain.visibleVoters(),
            plain.hasQuorum(),
            plain.failbackEnabled(),
            plain.failbackVersion(),
            plain.handover(),
            plain.witness(),
            plain.standby(),
            plain.followedPrimary(),
            Optional.of(request),
            plain.bootId());

    HeartbeatCommand toTarget = HeartbeatMapping.command(asking, Optional.of("fw2"));
    assertThat(toTarget).isEqualTo(new HeartbeatCommand.Standby("fw2", true, request.id()));
    assertThat(HeartbeatMapping.command(asking, Optional.of("fw1")))
        .isEqualTo(HeartbeatCommand.NONE);
    assertThat(HeartbeatMapping.command(asking, Optional.empty())).isEqualTo(HeartbeatCommand.NONE);
    assertThat(throughTheWire(asking, toTarget)).isEqualTo(asking);
  }
}
