package io.flywall.api;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Bucket and key names are checked by hand; they must accept exactly what the documented rule does.
 */
class StateNameTest {
  private static final java.util.regex.Pattern RULE =
      java.util.regex.Pattern.compile("[A-Za-z0-9_.:@-]{1,256}");

  @Property(tries = 3000)
  void aNameIsValidExactlyWhenItMatchesTheDocumentedRule(@ForAll("names") String name) {
    assertThat(StateRoutes.validName(name)).isEqualTo(RULE.matcher(name).matches());
  }

  @Example
  void namesOfOneTo256AllowedCharactersPassAndLongerOrEmptyOnesDoNot() {
    assertThat(StateRoutes.validName("a")).isTrue();
    assertThat(StateRoutes.validName("lease-10.0.0.1@lan:67_x")).isTrue();
    assertThat(StateRoutes.validName("k".repeat(256))).isTrue();
    assertThat(StateRoutes.validName("k".repeat(257))).isFalse();
    assertThat(StateRoutes.validName("")).isFalse();
    assertThat(StateRoutes.validName("a/b")).isFalse();
  }

  @Provide
  Arbitrary<String> names() {
    // Mostly allowed characters, some neighbours of them (/, ?, space, [, `, {, ä), lengths 0-300.
    return Arbitraries.strings()
        .withChars("aZz09_.:@-")
        .withChars("/? [`{ä\u0000")
        .withCharRange('A', 'z')
        .ofMinLength(0)
        .ofMaxLength(300);
  }
}
