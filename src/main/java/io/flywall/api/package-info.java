/**
 * The HTTP API (Javalin + Jackson) with its access control, the metrics registry behind both {@code
 * /api/ha/metrics} and the Prometheus {@code /metrics}, and the live monitor feed. It sees the node
 * only through {@link io.flywall.api.HaService}.
 */
package io.flywall.api;
