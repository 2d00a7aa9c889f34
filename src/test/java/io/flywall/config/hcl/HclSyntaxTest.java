package io.flywall.config.hcl;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

class HclSyntaxTest {

  private static HclValue valueOf(String text) throws HclSyntaxException {
    HclBody body = HclParser.parse(text);
    return body.attributes().get(0).value();
  }

  private static String stringOf(String text) throws HclSyntaxException {
    return ((HclValue.Str) valueOf(text)).value();
  }

  @Test
  void attributesAndBlocksAreReadInSourceOrderWithPositions() throws Exception {
    HclBody body = HclParser.parse("a = 1\nouter {\n  b = \"x\"\n  inner \"l1\" l2 {\n  }\n}\n");
    assertThat(body.items()).hasSize(2);
    HclAttribute a = body.attributes().get(0);
    assertThat(a.name()).isEqualTo("a");
    assertThat(a.position()).isEqualTo(new Position(1, 1));
    assertThat(a.value().position()).isEqualTo(new Position(1, 5));
    HclBlock outer = body.blocks().get(0);
    assertThat(outer.position()).isEqualTo(new Position(2, 1));
    assertThat(outer.body().attributes().get(0).value().position()).isEqualTo(new Position(3, 7));
    HclBlock inner = outer.body().blocks().get(0);
    assertThat(inner.labels()).containsExactly("l1", "l2");
    assertThat(inner.body().items()).isEmpty();
  }

  @Test
  void stringEscapesAreDecoded() throws Exception {
    assertThat(stringOf("s = \"a\\nb\\tc\\\"d\\\\e\\r\"")).isEqualTo("a\nb\tc\"d\\e\r");
    assertThat(stringOf("s = \"\\u00e9\\U0001F600\"")).isEqualTo("é\uD83D\uDE00");
  }

  @Test
  void doubledTemplateMarkersAreLiteral() throws Exception {
    assertThat(stringOf("s = \"$${x} %%{y}\"")).isEqualTo("${x} %{y}");
    assertThat(stringOf("s = \"cost $5 and 50%\"")).isEqualTo("cost $5 and 50%");
  }

  @Test
  void numbersIncludeNegativeDecimalAndExponentForms() throws Exception {
    assertThat(((HclValue.Num) valueOf("n = 42")).value()).isEqualByComparingTo("42");
    assertThat(((HclValue.Num) valueOf("n = -7")).value()).isEqualByComparingTo("-7");
    assertThat(((HclValue.Num) valueOf("n = 2.5")).value()).isEqualByComparingTo("2.5");
    assertThat(((HclValue.Num) valueOf("n = 1e3")).value())
        .isEqualByComparingTo(new BigDecimal("1000"));
    assertThat(((HclValue.Num) valueOf("n = 1.5E-2")).value()).isEqualByComparingTo("0.015");
  }

  @Test
  void booleansAreKeywords() throws Exception {
    assertThat(valueOf("b = true")).isEqualTo(new HclValue.Bool(true, new Position(1, 5)));
    assertThat(((HclValue.Bool) valueOf("b = false")).value()).isFalse();
  }

  @Test
  void listsAllowTrailingCommasAndLineBreaks() throws Exception {
    HclValue.ListValue list = (HclValue.ListValue) valueOf("l = [\n  \"a\",\n  \"b\",\n]\n");
    assertThat(list.elements())
        .extracting(v -> ((HclValue.Str) v).value())
        .containsExactly("a", "b");
    assertThat(((HclValue.ListValue) valueOf("l = []")).elements()).isEmpty();
    assertThat(((HclValue.ListValue) valueOf("l = [[1], [2, 3]]")).elements()).hasSize(2);
  }

  @Test
  void objectsTakeCommasOrLineBreaksBetweenEntries() throws Exception {
    HclValue.ObjectValue one = (HclValue.ObjectValue) valueOf("o = { k = 1, \"k2\" = \"v\" }");
    assertThat(one.entries()).extracting(HclValue.Entry::key).containsExactly("k", "k2");
    HclValue.ObjectValue two = (HclValue.ObjectValue) valueOf("o = {\n  a = 1\n  b: [2]\n}");
    assertThat(two.entries()).extracting(HclValue.Entry::key).containsExactly("a", "b");
  }

  @Test
  void allThreeCommentStylesAreIgnored() throws Exception {
    HclBody body =
        HclParser.parse(
            "# hash\n// slashes\na = 1 # trailing\n/* block\n spanning */ b = 2\nc /* inline */ = 3\n");
    assertThat(body.attributes()).extracting(HclAttribute::name).containsExactly("a", "b", "c");
  }

  @Test
  void heredocKeepsLinesVerbatim() throws Exception {
    assertThat(stringOf("s = <<EOF\n  one\n two\nEOF\n")).isEqualTo("  one\n two\n");
  }

  @Test
  void indentedHeredocStripsTheCommonIndent() throws Exception {
    HclBody body =
        HclParser.parse("b {\n  s = <<-EOT\n      one\n        two\n    EOT\n  after = 1\n}\n");
    HclBlock b = body.blocks().get(0);
    assertThat(((HclValue.Str) b.body().attributes().get(0).value()).value())
        .isEqualTo("one\n  two\n");
    assertThat(b.body().attributes()).extracting(HclAttribute::name).containsExactly("s", "after");
  }

  @Test
  void singleLineBlockWithOneAttributeIsAccepted() throws Exception {
    HclBody body = HclParser.parse("b { a = 1 }\n");
    assertThat(body.blocks().get(0).body().attributes()).hasSize(1);
  }

  @Test
  void windowsLineEndingsAndByteOrderMarkAreAccepted() throws Exception {
    HclBody body = HclParser.parse("\uFEFFa = \"x\"\r\nb {\r\n  c = 1\r\n}\r\n");
    assertThat(body.items()).hasSize(2);
    assertThat(body.attributes().get(0).position()).isEqualTo(new Position(1, 1));
  }

  @Test
  void emptyAndCommentOnlyFilesHaveNoItems() throws Exception {
    assertThat(HclParser.parse("").items()).isEmpty();
    assertThat(HclParser.parse("# nothing\n\n").items()).isEqualTo(List.of());
  }
}
