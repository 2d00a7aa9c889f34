package io.flywall.config.hcl;

/** A place in the source text; line and column are 1-based, columns count UTF-16 chars. */
public record Position(int line, int column) {
  @Override
  public String toString() {
    return line + ":" + column;
  }
}
