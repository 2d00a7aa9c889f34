package io.flywall.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The loader on hostile input: whatever the text, the only failure is a ConfigException, and text
 * whose syntax was broken never yields a config. jqwik prints the seed of a failing run; re-run it
 * with {@code @Property(seed = "...")}.
 */
class ConfigFuzzProperties {
  private static final ConfigLoader LOADER = new ConfigLoader(() -> "fuzz-host");
  private static final List<String> TOKENS =
      List.of(
          "{",
          "}",
          "[",
          "]",
          "=",
          ",",
          ":",
          "\"",
          "\n",
          "\n",
          " ",
          " ",
          "replication",
          "ha",
          "virtual_ip",
          "mode",
          "priority",
          "secret_key",
          "\"primary\"",
          "\"10.0.0.1/24\"",
          "\":9001\"",
          "1",
          "-1",
          "1.5e3",
          "true",
          "null",
          "#",
          "//",
          "/*",
          "*/",
          "<<EOF",
          "<<-EOF",
          "EOF",
          "${",
          "$${",
          "%{",
          "\\",
          "\\u00",
          "\\q",
          "'",
          "\t",
          "\r",
          "\uFEFF",
          "é",
          "\u0000",
          "(",
          ")",
          "0x1F",
          "1e",
          "..");

  /** Whatever happens must be a result or a ConfigException, nothing else. */
  private static Throwable outcomeOf(String text) {
    Throwable thrown = catchThrowable(() -> LOADER.parse("fuzz.hcl", text));
    assertThat(thrown)
        .as("only ConfigException may escape, for:\n%s", text)
        .satisfiesAnyOf(
            t -> assertThat(t).isNull(), t -> assertThat(t).isInstanceOf(ConfigException.class));
    if (thrown instanceof ConfigException e) {
      assertThat(e.problems()).isNotEmpty();
      int lines = (int) text.chars().filter(c -> c == '\n').count() + 1;
      assertThat(e.problems())
          .allSatisfy(
              p -> {
                assertThat(p.line()).isBetween(1, lines);
                assertThat(p.column()).isPositive();
                assertThat(p.toString())
                    .startsWith("fuzz.hcl:" + p.line() + ":" + p.column() + ": ");
              });
    }
    return thrown;
  }

  @Property(tries = 2000)
  void randomTokenSoupOnlyEverFailsWithConfigException(@ForAll("tokenSoup") String text) {
    outcomeOf(text);
  }

  @Property(tries = 1000)
  void randomCharactersOnlyEverFailWithConfigException(@ForAll("characters") String text) {
    outcomeOf(text);
  }

  @Property(tries = 1500)
  void deletingOneStructuralCharacterNeverYieldsAConfig(
      @ForAll("validConfigs") String valid, @ForAll("structuralDeletions") Deletion deletion) {
    assertThat(outcomeOf(valid)).isNull();
    List<Integer> positions = new ArrayList<>();
    for (int i = 0; i < valid.length(); i++) {
      if (valid.charAt(i) == deletion.character()) {
        positions.add(i);
      }
    }
    if (positions.isEmpty()) {
      return;
    }
    int at = positions.get(deletion.pick() % positions.size());
    String broken = valid.substring(0, at) + valid.substring(at + 1);
    assertThat(outcomeOf(broken))
        .as("deleting '%s' at %d still loads:\n%s", deletion.character(), at, broken)
        .isInstanceOf(ConfigException.class);
  }

  @Property(tries = 1500)
  void garbageAtTheEndOfAnyLineNeverYieldsAConfig(
      @ForAll("validConfigs") String valid, @ForAll("garbage") String garbage, @ForAll int pick) {
    String[] lines = valid.split("\n", -1);
    int line = Math.floorMod(pick, lines.length - 1); // the last element is after the final newline
    lines[line] = lines[line] + " " + garbage;
    String broken = String.join("\n", lines);
    assertThat(outcomeOf(broken))
        .as("garbage on line %d still loads:\n%s", line + 1, broken)
        .isInstanceOf(ConfigException.class);
  }

  @Property(tries = 1000)
  void truncatedConfigsOnlyEverFailWithConfigException(
      @ForAll("validConfigs") String valid, @ForAll int pick) {
    outcomeOf(valid.substring(0, Math.floorMod(pick, valid.length())));
  }

  @Example
  void hcl4jCounterExampleGarbageAfterValueIsRejected() {
    Throwable t =
        outcomeOf(
            "replication {\n  mode = \"primary\"\n  ha {\n    priority = 50 garbage \"x\" ]]\n  }\n}\n");
    assertThat(t)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("fuzz.hcl:4:19: expected end of line");
  }

  @Example
  void hcl4jCounterExampleUnclosedBlockIsRejected() {
    Throwable t = outcomeOf("replication {\n  mode = \"primary\"\n  ha {\n    priority = 50\n");
    assertThat(t).isInstanceOf(ConfigException.class).hasMessageContaining("`ha` is not closed");
  }

  record Deletion(char character, int pick) {}

  @Provide
  Arbitrary<String> tokenSoup() {
    return Arbitraries.of(TOKENS).list().ofMaxSize(80).map(l -> String.join("", l));
  }

  @Provide
  Arbitrary<String> characters() {
    return Arbitraries.strings().withChars("{}[]=\",\n #/*<-$%\\abcEOF019.:").ofMaxLength(200);
  }

  @Provide
  Arbitrary<Deletion> structuralDeletions() {
    return Combinators.combine(
            Arbitraries.of('{', '}', '[', ']', '"', '='), Arbitraries.integers().between(0, 10_000))
        .as(Deletion::new);
  }

  @Provide
  Arbitrary<String> garbage() {
    return Arbitraries.of(
        "garbage", "\"x\"", "]]", "1", "=", "{", "}", "x = 1", "true", "[1]", ",");
  }

  /** The guide's examples as the printer writes them: every block kind, no comments. */
  @Provide
  Arbitrary<String> validConfigs() {
    List<String> configs = new ArrayList<>();
    Path examples = Path.of(System.getProperty("flywall.project.dir", ".")).resolve("examples");
    try (var files = Files.list(examples)) {
      for (Path file : files.sorted().toList()) {
        configs.add(ConfigPrinter.print(LOADER.load(file).config()));
      }
    } catch (Exception e) {
      throw new IllegalStateException("cannot read the examples in " + examples, e);
    }
    return Arbitraries.of(configs);
  }
}
