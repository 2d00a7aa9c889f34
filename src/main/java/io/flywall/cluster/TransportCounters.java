package io.flywall.cluster;

/**
 * Traffic through a {@link HeartbeatTransport} since it opened.
 *
 * @param sent datagrams handed to the network
 * @param sendFailures sends the OS refused (no route, interface down, ...)
 * @param bytesSent UDP payload bytes of {@code sent}
 * @param received datagrams that arrived, whatever became of them
 * @param bytesReceived UDP payload bytes of {@code received}
 * @param accepted heartbeats delivered to the listener
 * @param rejected datagrams dropped by the receiver (per reason: {@link
 *     HeartbeatReceiver#rejections()})
 */
public record TransportCounters(
    long sent,
    long sendFailures,
    long bytesSent,
    long received,
    long bytesReceived,
    long accepted,
    long rejected) {}
