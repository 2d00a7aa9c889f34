package io.flywall.network;

import java.util.Locale;
import java.util.regex.Pattern;

/** An Ethernet link-layer address in the canonical lower-case colon form. */
public record MacAddress(String value) {

  private static final Pattern FORM = Pattern.compile("[0-9a-f]{2}(:[0-9a-f]{2}){5}");

  public MacAddress {
    value = value.toLowerCase(Locale.ROOT);
    if (!FORM.matcher(value).matches()) {
      throw new IllegalArgumentException("not a MAC address: " + value);
    }
  }

  public static MacAddress of(String text) {
    return new MacAddress(text.strip());
  }

  @Override
  public String toString() {
    return value;
  }
}
