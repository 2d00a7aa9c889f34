package io.flywall.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/config-reference.md and {@link ConfigSchema} list the same blocks and attributes. */
class ConfigReferenceTest {
  private static final Pattern HEADING = Pattern.compile("^## `([a-z_.]+)`.*$");
  private static final Pattern ROW =
      Pattern.compile("^\\| `([a-z_]+)` \\| ([^|]+) \\| ([^|]+) \\| ([^|]*) \\| ([^|]+) \\|$");

  /** Block path to the rows of its table, as {name, type, default, range, meaning}. */
  private static Map<String, List<String[]>> documented() throws Exception {
    Path doc =
        Path.of(System.getProperty("flywall.project.dir", ".")).resolve("docs/config-reference.md");
    Map<String, List<String[]>> out = new LinkedHashMap<>();
    String block = null;
    for (String line : Files.readAllLines(doc)) {
      Matcher heading = HEADING.matcher(line);
      if (heading.matches()) {
        block = heading.group(1);
        out.put(block, new ArrayList<>());
        continue;
      }
      if (line.startsWith("## ")) {
        block = null;
      }
      Matcher row = ROW.matcher(line);
      if (block != null && row.matches()) {
        out.get(block)
            .add(
                new String[] {
                  row.group(1),
                  row.group(2).strip(),
                  row.group(3).strip(),
                  row.group(4).strip(),
                  row.group(5).strip()
                });
      }
    }
    return out;
  }

  @Test
  void referenceDocumentsExactlyTheBlocksOfTheSchema() throws Exception {
    assertThat(documented().keySet())
        .containsExactlyElementsOf(ConfigSchema.blocksByPath().keySet());
  }

  @Test
  void referenceDocumentsExactlyTheAttributesOfEachBlock() throws Exception {
    Map<String, List<String[]>> doc = documented();
    ConfigSchema.blocksByPath()
        .forEach(
            (path, spec) ->
                assertThat(doc.get(path))
                    .as("attributes of `%s` in the reference", path)
                    .extracting(row -> row[0])
                    .containsExactlyElementsOf(
                        spec.attributes().stream().map(AttributeSpec::name).toList()));
  }

  @Test
  void referenceStatesTheSchemasTypeDefaultAndRange() throws Exception {
    Map<String, List<String[]>> doc = documented();
    ConfigSchema.blocksByPath()
        .forEach(
            (path, spec) -> {
              for (AttributeSpec a : spec.attributes()) {
                String[] row =
                    doc.get(path).stream()
                        .filter(r -> r[0].equals(a.name()))
                        .findFirst()
                        .orElseThrow();
                assertThat(row[1]).as("%s.%s type", path, a.name()).isEqualTo(a.type().label());
                assertThat(row[2]).as("%s.%s default", path, a.name()).contains(a.defaultText());
                assertThat(row[3]).as("%s.%s range", path, a.name()).isEqualTo(a.rangeText());
                assertThat(row[4]).as("%s.%s meaning", path, a.name()).isNotBlank();
              }
            });
  }

  @Test
  void everySchemaDefaultIsAValidValue() throws Exception {
    // An empty block of every kind loads: each default converts without a problem.
    LoadedConfig loaded =
        ConfigText.load(
            ConfigText.withHa(
                    "",
                    """
            conntrack_sync {
              interface = "eth2"
            }
        """)
                + "api {\n}\n");
    assertThat(loaded.warnings()).isEmpty();
  }
}
