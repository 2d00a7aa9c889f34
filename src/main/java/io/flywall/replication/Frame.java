package io.flywall.replication;

/**
 * One unit on the wire: a message type, flags (bit 0: payload is zstd-compressed) and a payload.
 */
public record Frame(byte type, byte flags, byte[] payload) {
  public static final byte COMPRESSED = 1;

  public boolean compressed() {
    return (flags & COMPRESSED) != 0;
  }
}
