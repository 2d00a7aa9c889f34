package io.flywall.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The secret must not leak through toString, printing, warnings or error messages. */
class SecretRedactionTest {
  private static final String SECRET = "TopSecretValue";

  @Test
  void secretIsRedactedInEveryToString() throws Exception {
    LoadedConfig loaded =
        ConfigText.load(
            ConfigText.replication(
                "  secret_key = \""
                    + SECRET
                    + "\"\n  peer_addr = \"10.0.0.2:9002\"\n  ha {\n  }\n"));
    assertThat(loaded.config().replication().secretKey().orElseThrow().value()).isEqualTo(SECRET);
    assertThat(new Secret(SECRET)).hasToString("<redacted>");
    assertThat(loaded.toString()).doesNotContain(SECRET).contains("<redacted>");
    assertThat(loaded.warnings().toString()).doesNotContain(SECRET);
    assertThat(ConfigPrinter.print(loaded.config())).doesNotContain(SECRET);
  }

  @Test
  void secretIsNotQuotedInErrorMessages() {
    List<String> texts =
        List.of(
            ConfigText.replication(
                "  secret_key = \"" + SECRET + "\"\n  secret_key = \"" + SECRET + "\"\n"),
            ConfigText.replication("  secret_key = \"" + SECRET + "\"\n  mode2 = 1\n"),
            "replication {\n  secret_key = \"" + SECRET + "\"\n}\n",
            ConfigText.replication("  secret_key = [\"" + SECRET + "\"]\n"),
            ConfigText.replication("  secret_key = \"" + SECRET + "\\q\"\n"),
            ConfigText.replication("  secret_key = \"" + SECRET + "\" " + SECRET + "\n"));
    for (String text : texts) {
      ConfigException e =
          org.assertj.core.api.Assertions.catchThrowableOfType(
              () -> ConfigText.load(text), ConfigException.class);
      assertThat(e).as(text).isNotNull();
      assertThat(e.getMessage()).as(text).doesNotContain(SECRET);
      assertThat(e.problems().toString()).doesNotContain(SECRET);
    }
  }
}
