package io.flywall.state;

/**
 * Two nodes wrote the same key independently (a split brain). The later write by HLC won; the other
 * is kept here, value included, so nothing is dropped silently.
 *
 * @param loserValue null when the losing write was a delete
 */
public record Conflict(
    long id,
    long timeMillis,
    String bucket,
    String key,
    Hlc winnerHlc,
    String winnerOrigin,
    Hlc loserHlc,
    String loserOrigin,
    byte[] loserValue) {}
