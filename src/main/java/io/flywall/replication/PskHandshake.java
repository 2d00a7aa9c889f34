package io.flywall.replication;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Mac;

/**
 * Mutual challenge-response on the replication key: each side sends a fresh nonce and proves
 * knowledge of the key with an HMAC over both nonces, under distinct labels so one side's proof
 * cannot be reflected as the other's. The session key that MACs every later frame is derived from
 * both nonces, so frames from another session do not verify. No state is sent before both proofs
 * checked out.
 */
final class PskHandshake {
  private static final byte[] MAGIC = "FWR1".getBytes(StandardCharsets.US_ASCII);
  private static final int NONCE = 32;
  private static final int PROOF = 32;
  static final int PRINTED_ID_BYTES = 64;

  private final byte[] key;
  private final SecureRandom random;

  PskHandshake(byte[] key, SecureRandom random) {
    this.key = key.clone();
    this.random = random;
  }

  /** What both ends agree on once authenticated. */
  record Session(String peerNodeId, byte[] sessionKey) {}

  Session asClient(String nodeId, InputStream rawIn, OutputStream rawOut)
      throws IOException, AuthenticationException {
    DataInputStream in = new DataInputStream(rawIn);
    DataOutputStream out = new DataOutputStream(rawOut);
    byte[] clientNonce = nonce();
    byte[] id = nodeId.getBytes(StandardCharsets.UTF_8);
    out.write(MAGIC);
    out.writeByte(id.length);
    out.write(id);
    out.write(clientNonce);
    out.flush();
    byte[] serverNonce = read(in, NONCE);
    byte[] serverProof = read(in, PROOF);
    if (!MessageDigest.isEqual(serverProof, proof("server", clientNonce, serverNonce, id))) {
      throw new AuthenticationException(
          "the replication peer does not know this cluster's secret_key");
    }
    out.write(proof("client", clientNonce, serverNonce, id));
    out.flush();
    int verdict = in.read();
    if (verdict != 1) {
      throw new AuthenticationException(
          "the replication peer refused this node's proof of the secret_key");
    }
    return new Session("primary", proof("session", clientNonce, serverNonce, id));
  }

  Session asServer(InputStream rawIn, OutputStream rawOut)
      throws IOException, AuthenticationException {
    DataInputStream in = new DataInputStream(rawIn);
    DataOutputStream out = new DataOutputStream(rawOut);
    byte[] magic = read(in, MAGIC.length);
    if (!Arrays.equals(magic, MAGIC)) {
      throw new AuthenticationException("not a flywall replication client (bad greeting)");
    }
    int idLength = in.readUnsignedByte();
    if (idLength == 0) {
      throw new AuthenticationException("empty node id in greeting");
    }
    byte[] id = read(in, idLength);
    byte[] clientNonce = read(in, NONCE);
    byte[] serverNonce = nonce();
    out.write(serverNonce);
    out.write(proof("server", clientNonce, serverNonce, id));
    out.flush();
    byte[] clientProof = read(in, PROOF);
    if (!MessageDigest.isEqual(clientProof, proof("client", clientNonce, serverNonce, id))) {
      out.write(0);
      out.flush();
      throw new AuthenticationException(
          "replication client "
              + printable(id)
              + " failed the secret_key challenge (wrong secret?)");
    }
    out.write(1);
    out.flush();
    return new Session(
        new String(id, StandardCharsets.UTF_8), proof("session", clientNonce, serverNonce, id));
  }

  /**
   * A node id as a peer claimed it, before it proved anything: quoted, printable ASCII kept, every
   * other byte as \xNN, at most {@link #PRINTED_ID_BYTES} bytes. Whatever the bytes, the result is
   * one line that cannot pose as log output of its own.
   */
  static String printable(byte[] id) {
    StringBuilder out = new StringBuilder("'");
    int shown = Math.min(id.length, PRINTED_ID_BYTES);
    for (int i = 0; i < shown; i++) {
      int b = id[i] & 0xff;
      if (b >= 0x20 && b < 0x7f && b != '\\' && b != '\'') {
        out.append((char) b);
      } else {
        out.append(String.format("\\x%02x", b));
      }
    }
    out.append('\'');
    if (id.length > shown) {
      out.append(" (").append(id.length - shown).append(" more bytes)");
    }
    return out.toString();
  }

  private byte[] nonce() {
    byte[] nonce = new byte[NONCE];
    random.nextBytes(nonce);
    return nonce;
  }

  private byte[] proof(String label, byte[] clientNonce, byte[] serverNonce, byte[] id) {
    Mac mac = FrameCodec.hmac(key);
    mac.update(label.getBytes(StandardCharsets.US_ASCII));
    mac.update(clientNonce);
    mac.update(serverNonce);
    mac.update(id);
    return mac.doFinal();
  }

  private static byte[] read(DataInputStream in, int length)
      throws IOException, AuthenticationException {
    byte[] bytes = new byte[length];
    try {
      in.readFully(bytes);
    } catch (EOFException e) {
      throw new AuthenticationException("the peer closed the connection during authentication", e);
    }
    return bytes;
  }
}
