package io.flywall.cluster;

import java.security.MessageDigest;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import javax.crypto.Mac;

/**
 * The heartbeat datagram, version 1. Layout (varint = unsigned LEB128, str = varint length +
 * UTF-8):
 *
 * <pre>
 *   "FW" | version u8 | node_id str | boot_id varint | sequence varint | send_time varint
 *   | epoch varint | role u8 | priority u16 | flags u8 | replication_address str
 *   | replication_position varint | visible_voters u8 | followed_primary str
 *   | failback_version varint
 *   | echo_time varint | echo_delay varint | command u8 [target str | epoch varint]
 *   | HMAC-SHA256(key, everything before)[0..16)
 * </pre>
 *
 * <p>Thread-safe: every call uses its own {@link Mac}.
 */
public final class HeartbeatCodec {

  /** Anything longer is refused unread; every valid heartbeat fits (at most 504 bytes). */
  public static final int MAX_DATAGRAM_BYTES = 512;

  public static final int VERSION = 1;

  /*
   * The tag is HMAC-SHA256 truncated to 128 bits (RFC 2104 section 5 allows truncation to half
   * the hash). Forging it still takes ~2^127 online guesses, each one a UDP datagram the
   * receiver counts as FORGED, while the datagram stays 16 bytes smaller at every interval.
   */
  static final int MAC_BYTES = 16;
  private static final byte MAGIC_0 = 'F';
  private static final byte MAGIC_1 = 'W';
  private static final int HEADER_BYTES = 3;

  private static final int COMMAND_NONE = 0;
  private static final int COMMAND_RELEASE = 1;
  private static final int COMMAND_HANDOVER = 2;
  private static final int COMMAND_STANDBY = 3;

  private final byte[] key;
  private final Mac prototype;

  /**
   * @param heartbeatKey the MAC key, normally {@link ClusterKeys#heartbeatKey()}
   */
  public HeartbeatCodec(byte[] heartbeatKey) {
    Objects.requireNonNull(heartbeatKey, "heartbeatKey");
    if (heartbeatKey.length == 0) {
      throw new IllegalArgumentException("heartbeat key must not be empty");
    }
    this.key = heartbeatKey.clone();
    this.prototype = KeyDerivation.hmac(key);
  }

  public static HeartbeatCodec withKeys(ClusterKeys keys) {
    return new HeartbeatCodec(keys.heartbeatKey());
  }

  /** The authenticated datagram for {@code heartbeat}. */
  public byte[] encode(Heartbeat heartbeat) {
    NodeStatus status = heartbeat.status();
    WireWriter out =
        new WireWriter()
            .u8(MAGIC_0)
            .u8(MAGIC_1)
            .u8(VERSION)
            .string(heartbeat.nodeId())
            .varint(heartbeat.bootId())
            .varint(heartbeat.sequence())
            .varint(heartbeat.sendTimeMillis())
            .varint(status.epoch())
            .u8(status.role().code)
            .u16(status.priority())
            .u8(flagBits(status.flags()))
            .string(status.replicationAddress())
            .varint(status.replicationPosition())
            .u8(status.quorum().visibleVoters())
            .string(status.quorum().followedPrimary())
            .varint(status.failbackVersion())
            .varint(heartbeat.echo().echoTimeMillis())
            .varint(heartbeat.echo().echoDelayMillis());
    HeartbeatCommand command = heartbeat.command();
    if (command instanceof HeartbeatCommand.Handover handover) {
      out.u8(COMMAND_HANDOVER).string(handover.targetNodeId()).varint(handover.epoch());
    } else if (command instanceof HeartbeatCommand.Standby standby) {
      out.u8(COMMAND_STANDBY)
          .string(standby.targetNodeId())
          .u8(standby.on() ? 1 : 0)
          .varint(standby.requestId());
    } else if (command instanceof HeartbeatCommand.Release) {
      out.u8(COMMAND_RELEASE);
    } else {
      out.u8(COMMAND_NONE);
    }
    return seal(out.toByteArray());
  }

  /** Decodes the first {@code length} bytes of {@code buf}. Never throws. */
  public DecodeResult decode(byte[] buf, int length) {
    if (buf == null || length < 0 || length > buf.length) {
      return rejected(RejectReason.MALFORMED, "length " + length + " outside the buffer");
    }
    if (length > MAX_DATAGRAM_BYTES) {
      return rejected(RejectReason.OVERSIZED, length + " bytes, at most " + MAX_DATAGRAM_BYTES);
    }
    if (length < HEADER_BYTES || buf[0] != MAGIC_0 || buf[1] != MAGIC_1) {
      return rejected(RejectReason.MALFORMED, "not a flywall heartbeat (bad magic)");
    }
    int version = buf[2] & 0xFF;
    if (version != VERSION) {
      return rejected(
          RejectReason.BAD_VERSION, "version " + version + ", this node speaks " + VERSION);
    }
    if (length < HEADER_BYTES + MAC_BYTES) {
      return rejected(RejectReason.MALFORMED, "truncated: " + length + " bytes");
    }
    int bodyEnd = length - MAC_BYTES;
    // Authenticate before parsing, so nothing an outsider sends reaches the field parser.
    byte[] expected = tag(buf, bodyEnd);
    byte[] actual = new byte[MAC_BYTES];
    System.arraycopy(buf, bodyEnd, actual, 0, MAC_BYTES);
    if (!MessageDigest.isEqual(expected, actual)) {
      return rejected(
          RejectReason.FORGED, "MAC does not verify (wrong secret_key or tampered datagram)");
    }
    try {
      return new DecodeResult.Accepted(parse(new WireReader(buf, HEADER_BYTES, bodyEnd)));
    } catch (WireReader.Malformed e) {
      return rejected(RejectReason.MALFORMED, e.getMessage());
    } catch (IllegalArgumentException e) {
      // The records' constructors are the one statement of what a valid heartbeat is.
      return rejected(RejectReason.MALFORMED, e.getMessage());
    }
  }

  /** Appends the MAC to an already encoded body. Package-private so tests can MAC any bytes. */
  byte[] seal(byte[] body) {
    byte[] datagram = new byte[body.length + MAC_BYTES];
    System.arraycopy(body, 0, datagram, 0, body.length);
    System.arraycopy(tag(body, body.length), 0, datagram, body.length, MAC_BYTES);
    return datagram;
  }

  private byte[] tag(byte[] buf, int length) {
    Mac mac = freshMac();
    mac.update(buf, 0, length);
    byte[] full = mac.doFinal();
    byte[] truncated = new byte[MAC_BYTES];
    System.arraycopy(full, 0, truncated, 0, MAC_BYTES);
    return truncated;
  }

  /** Cloning the never-used prototype skips the provider lookup and key setup per datagram. */
  private Mac freshMac() {
    try {
      return (Mac) prototype.clone();
    } catch (CloneNotSupportedException e) {
      return KeyDerivation.hmac(key);
    }
  }

  private static Heartbeat parse(WireReader in) throws WireReader.Malformed {
    String nodeId = in.string("node_id", Heartbeat.MAX_NODE_ID_BYTES);
    long bootId = in.varint("boot_id");
    long sequence = in.varint("sequence");
    long sendTime = in.varint("send_time");
    long epoch = in.varint("epoch");
    int roleCode = in.u8("role");
    Heartbeat.Role role = Heartbeat.Role.ofCode(roleCode);
    if (role == null) {
      throw new WireReader.Malformed("role: unknown code " + roleCode);
    }
    int priority = in.u16("priority");
    Set<Heartbeat.Flag> flags = flags(in.u8("flags"));
    String replicationAddress =
        in.string("replication_address", NodeStatus.MAX_REPLICATION_ADDRESS_BYTES);
    long replicationPosition = in.varint("replication_position");
    int visibleVoters = in.u8("visible_voters");
    String followedPrimary = in.string("followed_primary", Heartbeat.MAX_NODE_ID_BYTES);
    long failbackVersion = in.varint("failback_version");
    long echoTime = in.varint("echo_time");
    long echoDelay = in.varint("echo_delay");
    HeartbeatCommand command = command(in);
    in.expectEnd();
    NodeStatus status =
        new NodeStatus(
            epoch,
            role,
            priority,
            flags,
            replicationAddress,
            replicationPosition,
            new Heartbeat.QuorumView(visibleVoters, followedPrimary),
            failbackVersion);
    return new Heartbeat(
        nodeId,
        bootId,
        sequence,
        sendTime,
        status,
        new Heartbeat.Echo(echoTime, echoDelay),
        command);
  }

  private static HeartbeatCommand command(WireReader in) throws WireReader.Malformed {
    int type = in.u8("command");
    switch (type) {
      case COMMAND_NONE:
        return HeartbeatCommand.NONE;
      case COMMAND_RELEASE:
        return HeartbeatCommand.RELEASE;
      case COMMAND_HANDOVER:
        String target = in.string("handover target", Heartbeat.MAX_NODE_ID_BYTES);
        long epoch = in.varint("handover epoch");
        return new HeartbeatCommand.Handover(target, epoch);
      case COMMAND_STANDBY:
        String node = in.string("standby target", Heartbeat.MAX_NODE_ID_BYTES);
        int on = in.u8("standby on");
        if (on > 1) {
          throw new WireReader.Malformed("standby on: " + on + " is neither 0 nor 1");
        }
        long id = in.varint("standby request id");
        return new HeartbeatCommand.Standby(node, on == 1, id);
      default:
        throw new WireReader.Malformed("command: unknown type " + type);
    }
  }

  private static int flagBits(Set<Heartbeat.Flag> flags) {
    int bits = 0;
    for (Heartbeat.Flag flag : flags) {
      bits |= 1 << flag.bit;
    }
    return bits;
  }

  /** Bits this version does not know are ignored, so a newer peer may add flags within v1. */
  private static Set<Heartbeat.Flag> flags(int bits) {
    Set<Heartbeat.Flag> flags = EnumSet.noneOf(Heartbeat.Flag.class);
    for (Heartbeat.Flag flag : Heartbeat.Flag.values()) {
      if ((bits & (1 << flag.bit)) != 0) {
        flags.add(flag);
      }
    }
    return flags;
  }

  private static DecodeResult rejected(RejectReason reason, String detail) {
    return new DecodeResult.Rejected(reason, detail);
  }
}
