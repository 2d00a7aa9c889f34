package io.flywall.config;

import java.util.Objects;

/** The shared secret; its toString is redacted so it cannot leak through logs or messages. */
public record Secret(String value) {
  public Secret {
    Objects.requireNonNull(value, "value");
  }

  @Override
  public String toString() {
    return "<redacted>";
  }
}
