package io.flywall.config.hcl;

import java.util.List;
import java.util.stream.Collectors;

/** The text is not valid HCL; carries every error found, in source order. */
public final class HclSyntaxException extends Exception {
  private final transient List<HclError> errors;

  public HclSyntaxException(List<HclError> errors) {
    super(
        errors.stream()
            .map(e -> e.position() + ": " + e.message())
            .collect(Collectors.joining("\n")));
    this.errors = List.copyOf(errors);
  }

  public List<HclError> errors() {
    return errors;
  }
}
