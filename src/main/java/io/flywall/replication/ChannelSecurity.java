package io.flywall.replication;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a TCP connection into a {@link SecureChannel}: TLS 1.3-PSK first when {@code encryption} is
 * on, then always the PSK challenge-response, whose session key MACs every frame. Failed
 * authentications are counted and logged, at most one line per {@link RefusalLog#INTERVAL}.
 */
public final class ChannelSecurity {
  private static final Logger log = LoggerFactory.getLogger(ChannelSecurity.class);
  private static final int HANDSHAKE_TIMEOUT_MS = 5_000;

  /** The most a client may take for the whole handshake, however it paces its bytes. */
  static final Duration HANDSHAKE_DEADLINE = Duration.ofSeconds(10);

  private final String nodeId;
  private final boolean encryption;
  private final PskTls tls;
  private final PskHandshake handshake;
  private final AtomicLong refused = new AtomicLong();
  private final RefusalLog refusals;

  public ChannelSecurity(
      String nodeId, byte[] replicationKey, boolean encryption, SecureRandom random, Clock clock) {
    this(nodeId, replicationKey, encryption, random, new RefusalLog(clock, log::warn));
  }

  ChannelSecurity(
      String nodeId,
      byte[] replicationKey,
      boolean encryption,
      SecureRandom random,
      RefusalLog refusals) {
    this.nodeId = nodeId;
    this.encryption = encryption;
    this.tls = new PskTls(replicationKey, random);
    this.handshake = new PskHandshake(replicationKey, random);
    this.refusals = refusals;
  }

  public boolean encryption() {
    return encryption;
  }

  /**
   * Connections refused because the peer failed authentication (wrong secret, not TLS-PSK,
   * garbage).
   */
  public long refusedCount() {
    return refused.get();
  }

  /** The listener's side. Closes the socket and throws if the peer does not authenticate. */
  public SecureChannel accept(Socket socket) throws AuthenticationException {
    try {
      HandshakeDeadline input =
          new HandshakeDeadline(socket, HANDSHAKE_DEADLINE, HANDSHAKE_TIMEOUT_MS);
      Layer layer = encrypted(socket, input, false);
      PskHandshake.Session session = handshake.asServer(layer.in, layer.out);
      input.lift();
      socket.setSoTimeout(0);
      return new SecureChannel(
          socket,
          layer.in,
          layer.out,
          new FrameCodec(session.sessionKey(), false),
          session.peerNodeId(),
          layer.closer);
    } catch (AuthenticationException | IOException e) {
      refused.incrementAndGet();
      refusals.refused(String.valueOf(socket.getRemoteSocketAddress()), describe(e));
      closeQuietly(socket);
      throw e instanceof AuthenticationException a
          ? a
          : new AuthenticationException(describe(e), e);
    }
  }

  /** The connecting side. */
  public SecureChannel connect(Socket socket, String primaryNodeId)
      throws AuthenticationException, IOException {
    try {
      socket.setSoTimeout(HANDSHAKE_TIMEOUT_MS);
      Layer layer = encrypted(socket, socket.getInputStream(), true);
      PskHandshake.Session session = handshake.asClient(nodeId, layer.in, layer.out);
      socket.setSoTimeout(0);
      return new SecureChannel(
          socket,
          layer.in,
          layer.out,
          new FrameCodec(session.sessionKey(), true),
          primaryNodeId,
          layer.closer);
    } catch (AuthenticationException e) {
      refused.incrementAndGet();
      closeQuietly(socket);
      throw e;
    } catch (IOException e) {
      closeQuietly(socket);
      if (encryption && e.getClass().getName().startsWith("org.bouncycastle.tls")) {
        refused.incrementAndGet();
        throw new AuthenticationException(
            "TLS-PSK handshake with the primary failed ("
                + describe(e)
                + "); check that both nodes have the same secret_key and encryption setting",
            e);
      }
      throw e;
    }
  }

  private record Layer(InputStream in, OutputStream out, Runnable closer) {}

  private Layer encrypted(Socket socket, InputStream input, boolean client) throws IOException {
    if (!encryption) {
      return new Layer(input, socket.getOutputStream(), () -> {});
    }
    PskTls.Streams streams =
        client
            ? tls.connect(input, socket.getOutputStream())
            : tls.accept(input, socket.getOutputStream());
    return new Layer(
        streams.in(),
        streams.out(),
        () -> {
          try {
            streams.closer().close();
          } catch (IOException ignored) {
            // The socket is closed right after; a lost close_notify costs nothing.
          }
        });
  }

  /** The reason, printable: TLS libraries may quote what the peer sent. */
  private static String describe(Exception e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    StringBuilder out = new StringBuilder(message.length());
    message
        .codePoints()
        .forEach(c -> out.append(Character.isISOControl(c) ? "?" : Character.toString(c)));
    return out.toString();
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // Already refusing the connection.
    }
  }
}
