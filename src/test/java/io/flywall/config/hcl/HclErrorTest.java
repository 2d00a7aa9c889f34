package io.flywall.config.hcl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import org.junit.jupiter.api.Test;

class HclErrorTest {

  private static List<HclError> errorsOf(String text) {
    HclSyntaxException e =
        catchThrowableOfType(() -> HclParser.parse(text), HclSyntaxException.class);
    assertThat(e).as("expected a syntax error for:\n%s", text).isNotNull();
    return e.errors();
  }

  private static HclError onlyErrorOf(String text) {
    List<HclError> errors = errorsOf(text);
    assertThat(errors).as("errors of:\n%s", text).hasSize(1);
    return errors.get(0);
  }

  @Test
  void garbageAfterAValueIsAnError() {
    HclError e = onlyErrorOf("priority = 50 garbage \"x\" ]]\n");
    assertThat(e.position()).isEqualTo(new Position(1, 15));
    assertThat(e.message()).contains("expected end of line", "`garbage`");
  }

  @Test
  void twoAttributesOnOneLineAreAnError() {
    HclError e = onlyErrorOf("a = 1 b = 2\n");
    assertThat(e.position()).isEqualTo(new Position(1, 7));
    assertThat(e.message()).contains("one attribute or block per line");
  }

  @Test
  void unclosedBlockIsReportedAtItsOpening() {
    HclError e = onlyErrorOf("x = 1\nreplication {\n  a = 1\n");
    assertThat(e.position()).isEqualTo(new Position(2, 1));
    assertThat(e.message()).contains("`replication` is not closed");
  }

  @Test
  void strayClosingBraceIsAnError() {
    assertThat(onlyErrorOf("a = 1\n}\n").position()).isEqualTo(new Position(2, 1));
  }

  @Test
  void unknownEscapeIsAnErrorAtTheBackslash() {
    HclError e = onlyErrorOf("s = \"ab\\qc\"\n");
    assertThat(e.position()).isEqualTo(new Position(1, 8));
    assertThat(e.message()).contains("unknown escape `\\q`");
  }

  @Test
  void shortUnicodeEscapeIsAnError() {
    assertThat(onlyErrorOf("s = \"\\u12\"\n").message()).contains("hex digits");
  }

  @Test
  void rawNewlineInAStringIsAnError() {
    HclError e = errorsOf("s = \"abc\ndef\"\n").get(0);
    assertThat(e.position()).isEqualTo(new Position(1, 5));
    assertThat(e.message()).contains("string is not closed");
  }

  @Test
  void interpolationIsRejectedSayingItIsNotSupported() {
    HclError e = onlyErrorOf("s = \"host-${var.name}\"\n");
    assertThat(e.position()).isEqualTo(new Position(1, 11));
    assertThat(e.message()).contains("interpolation", "not supported");
    assertThat(onlyErrorOf("s = <<EOF\n${x}\nEOF\n").message()).contains("interpolation");
  }

  @Test
  void nullIsRejectedAsUnsupported() {
    assertThat(onlyErrorOf("a = null\n").message()).contains("`null` is not supported");
  }

  @Test
  void bareWordsAndExpressionsAreNotValues() {
    assertThat(onlyErrorOf("mode = primary\n").message()).contains("strings need double quotes");
    assertThat(onlyErrorOf("a = 1 + 2\n").message()).contains("expressions");
    assertThat(errorsOf("a = f(1)\n"))
        .extracting(HclError::message)
        .anyMatch(m -> m.contains("function calls"));
  }

  @Test
  void duplicateAttributeInOneBlockIsAnError() {
    HclError e = onlyErrorOf("b {\n  a = 1\n  a = 2\n}\n");
    assertThat(e.position()).isEqualTo(new Position(3, 3));
    assertThat(e.message()).contains("`a` is set twice", "line 2");
  }

  @Test
  void sameAttributeInDifferentBlocksIsFine() throws Exception {
    HclParser.parse("a = 1\nb {\n  a = 2\n}\nc {\n  a = 3\n}\n");
  }

  @Test
  void duplicateObjectKeyIsAnError() {
    assertThat(onlyErrorOf("o = { k = 1, k = 2 }\n").message()).contains("`k` is set twice");
  }

  @Test
  void missingCommaInAListIsAnError() {
    HclError e = onlyErrorOf("l = [\"a\" \"b\"]\n");
    assertThat(e.position()).isEqualTo(new Position(1, 10));
    assertThat(e.message()).contains("expected `,` or `]`");
  }

  @Test
  void unclosedListBeforeTheNextAttributeIsReportedAtTheBracket() {
    HclError e = onlyErrorOf("b {\n  l = [\"a\", \"b\"\n  c = 1\n}\n");
    assertThat(e.position()).isEqualTo(new Position(2, 7));
    assertThat(e.message()).contains("list is not closed");
  }

  @Test
  void unclosedHeredocAndCommentAreErrors() {
    assertThat(errorsOf("s = <<EOF\nabc\n").get(0).message())
        .contains("heredoc <<EOF is not closed");
    assertThat(onlyErrorOf("a = 1\n/* open").message()).contains("`/*` is not closed");
  }

  @Test
  void malformedNumbersAreErrors() {
    assertThat(onlyErrorOf("a = 12abc\n").message()).contains("invalid number `12abc`");
    assertThat(onlyErrorOf("a = 1.2.3\n").message()).contains("invalid number");
  }

  @Test
  void missingEqualsIsAnError() {
    assertThat(onlyErrorOf("mode \"primary\"\n").message())
        .contains("expected `{` after the labels");
    assertThat(onlyErrorOf("mode 5\n").message()).contains("expected `=` or `{` after `mode`");
  }

  @Test
  void everyBrokenLineIsReportedNotJustTheFirst() {
    List<HclError> errors =
        errorsOf(
            """
        replication {
          mode = primary
          priority = 50 garbage "x" ]]
          ok = 1
          s = "bad \\q escape"
          ha {
            x = [1 2]
            y = 1 z = 2
          }
          after = true
        }
        }
        """);
    assertThat(errors).extracting(e -> e.position().line()).containsExactly(2, 3, 5, 7, 8, 12);
  }

  @Test
  void recoveryResumesInsideTheEnclosingBlock() {
    // The broken line must not swallow the block's closing brace.
    List<HclError> errors = errorsOf("a {\n  b = 1 ]]\n}\nc {\n  d = @\n}\n");
    assertThat(errors).extracting(e -> e.position().line()).containsExactly(2, 5);
  }

  @Test
  void absurdNestingIsRefusedWithoutOverflowingTheStack() {
    String deep = "a = " + "[".repeat(100_000) + "\n";
    assertThat(errorsOf(deep).get(0).message()).contains("nesting is deeper");
    String blocks = "b {\n".repeat(10_000);
    assertThat(errorsOf(blocks)).isNotEmpty();
  }

  @Test
  void errorsAreOrderedByLineAndColumn() {
    List<HclError> errors = errorsOf("a = 1 2\nb = \"\\q\" x\n");
    assertThat(errors)
        .extracting(HclError::position)
        .containsExactly(new Position(1, 7), new Position(2, 6), new Position(2, 10));
  }
}
