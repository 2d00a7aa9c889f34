package io.flywall.config.hcl;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns source text into tokens. Lexical errors are recorded and lexing goes on, so that a file
 * with several mistakes reports all of them in one run.
 */
final class HclLexer {
  private final String src;
  private final List<HclError> errors;
  private final List<Token> tokens = new ArrayList<>();
  private int pos;
  private int line = 1;
  private int lineStart;
  private int lastErrorLine;

  HclLexer(String src, List<HclError> errors) {
    this.src = src;
    this.errors = errors;
  }

  List<Token> tokenize() {
    if (src.startsWith("\uFEFF")) {
      pos = 1;
      lineStart = 1;
    }
    while (pos < src.length()) {
      char c = src.charAt(pos);
      char next = peekChar(1);
      if (c == '\n') {
        add(TokenKind.NEWLINE, "\n", null, here());
        pos++;
        startLine();
      } else if (c == '\r' && next == '\n') {
        pos++;
      } else if (c == ' ' || c == '\t' || c == '\f' || c == '\r') {
        pos++;
      } else if (c == '#' || (c == '/' && next == '/')) {
        skipToEndOfLine();
      } else if (c == '/' && next == '*') {
        blockComment();
      } else if (c == '"') {
        string();
      } else if (c == '<' && next == '<') {
        heredoc();
      } else if (isDigit(c) || (c == '-' && isDigit(next))) {
        number();
      } else if (isIdentStart(c)) {
        identifier();
      } else {
        punctuation(c, next);
      }
    }
    add(TokenKind.EOF, "", null, here());
    return tokens;
  }

  private void punctuation(char c, char next) {
    Position at = here();
    TokenKind kind =
        switch (c) {
          case '{' -> TokenKind.LBRACE;
          case '}' -> TokenKind.RBRACE;
          case '[' -> TokenKind.LBRACKET;
          case ']' -> TokenKind.RBRACKET;
          case ',' -> TokenKind.COMMA;
          case '=' -> TokenKind.EQUALS;
          case ':' -> TokenKind.COLON;
          default -> TokenKind.ERROR;
        };
    if (kind != TokenKind.ERROR) {
      add(kind, String.valueOf(c), null, at);
      pos++;
      return;
    }
    String message;
    if (c == '$' && next == '{') {
      message = "interpolation `${...}` is not supported: write the value literally";
    } else if (c == '(' || c == ')' || c == '+' || c == '*' || c == '?' || c == '!' || c == '.'
        || c == '-' || c == '%' || c == '&' || c == '|' || c == '>' || c == '<') {
      message =
          "unexpected `"
              + c
              + "`: expressions and function calls are not supported, only literal values";
    } else if (c == '\'') {
      message = "unexpected `'`: strings use double quotes";
    } else {
      message = "unexpected character " + describeChar(c);
    }
    // One message per line is enough; the parser skips the rest of the line anyway.
    if (lastErrorLine != line) {
      error(at, message);
    }
    add(TokenKind.ERROR, String.valueOf(c), null, at);
    pos++;
  }

  private static String describeChar(char c) {
    if (c < 0x20 || c == 0x7f || Character.isWhitespace(c) || Character.isISOControl(c)) {
      return String.format("U+%04X", (int) c);
    }
    return "`" + c + "`";
  }

  private void skipToEndOfLine() {
    while (pos < src.length() && src.charAt(pos) != '\n') {
      pos++;
    }
  }

  private void blockComment() {
    Position at = here();
    pos += 2;
    boolean sawNewline = false;
    while (pos < src.length()) {
      char c = src.charAt(pos);
      if (c == '*' && peekChar(1) == '/') {
        pos += 2;
        if (sawNewline) {
          // A comment spanning lines ends the line it started on, like the newline it hides.
          add(TokenKind.NEWLINE, "\n", null, at);
        }
        return;
      }
      pos++;
      if (c == '\n') {
        sawNewline = true;
        startLine();
      }
    }
    error(at, "comment `/*` is not closed: add `*/`");
  }

  private void string() {
    Position at = here();
    int start = pos;
    pos++;
    StringBuilder value = new StringBuilder();
    while (true) {
      if (pos >= src.length() || src.charAt(pos) == '\n' || src.charAt(pos) == '\r') {
        error(
            at,
            "string is not closed: add `\"` (a string cannot span lines; use a heredoc <<EOF for that)");
        add(TokenKind.STRING, src.substring(start, pos), value.toString(), at);
        return;
      }
      char c = src.charAt(pos);
      if (c == '"') {
        pos++;
        add(TokenKind.STRING, src.substring(start, pos), value.toString(), at);
        return;
      }
      if (c == '\\') {
        escape(value);
      } else if (templateStart(value)) {
        continue;
      } else {
        value.append(c);
        pos++;
      }
    }
  }

  /** Handles {@code ${}, $${, %{, %%{} at pos; returns true if it consumed anything. */
  private boolean templateStart(StringBuilder value) {
    char c = src.charAt(pos);
    if (c != '$' && c != '%') {
      return false;
    }
    if (peekChar(1) == c && peekChar(2) == '{') {
      value.append(c).append('{');
      pos += 3;
      return true;
    }
    if (peekChar(1) == '{') {
      error(
          here(),
          c == '$'
              ? "interpolation `${...}` is not supported: write the value literally (or `$${` for a literal `${`)"
              : "template directives `%{...}` are not supported (write `%%{` for a literal `%{`)");
      value.append(c).append('{');
      pos += 2;
      return true;
    }
    return false;
  }

  private void escape(StringBuilder value) {
    Position at = here();
    char e = peekChar(1);
    switch (e) {
      case 'n' -> value.append('\n');
      case 't' -> value.append('\t');
      case 'r' -> value.append('\r');
      case '"' -> value.append('"');
      case '\\' -> value.append('\\');
      case 'u', 'U' -> {
        int digits = e == 'u' ? 4 : 8;
        String hex =
            src.substring(
                Math.min(pos + 2, src.length()), Math.min(pos + 2 + digits, src.length()));
        int cp =
            hex.length() == digits && hex.chars().allMatch(HclLexer::isHex)
                ? (int) Long.parseLong(hex, 16)
                : -1;
        if (cp < 0
            || cp > Character.MAX_CODE_POINT
            || (digits == 8 && Character.isSurrogate((char) cp) && cp <= 0xFFFF)) {
          error(
              at,
              "invalid escape `\\"
                  + e
                  + "`: expected "
                  + digits
                  + " hex digits of a Unicode code point");
          pos += 2;
          return;
        }
        value.appendCodePoint(cp);
        pos += 2 + digits;
        return;
      }
      default -> {
        if (pos + 1 >= src.length() || e == '\n' || e == '\r') {
          pos += 1; // the unclosed string is reported by the caller
          return;
        }
        error(at, "unknown escape `\\" + e + "`: use \\n \\t \\r \\\" \\\\ \\uXXXX or \\UXXXXXXXX");
        pos += 2;
        return;
      }
    }
    pos += 2;
  }

  private void heredoc() {
    Position at = here();
    pos += 2;
    boolean indented = peekChar(0) == '-';
    if (indented) {
      pos++;
    }
    int markerStart = pos;
    while (pos < src.length() && isIdentPart(src.charAt(pos))) {
      pos++;
    }
    String marker = src.substring(markerStart, pos);
    if (marker.isEmpty() || !isIdentStart(marker.charAt(0))) {
      error(at, "expected a heredoc marker such as <<EOF");
      add(TokenKind.ERROR, "<<", null, at);
      return;
    }
    int lineEnd = src.indexOf('\n', pos);
    String rest = (lineEnd < 0 ? src.substring(pos) : src.substring(pos, lineEnd)).stripTrailing();
    if (!rest.isEmpty() || lineEnd < 0) {
      error(at, "heredoc <<" + marker + " must be followed directly by a line break");
      add(TokenKind.ERROR, "<<" + marker, null, at);
      return;
    }
    pos = lineEnd + 1;
    startLine();
    List<String> lines = new ArrayList<>();
    while (true) {
      if (pos >= src.length()) {
        error(
            at,
            "heredoc <<"
                + (indented ? "-" : "")
                + marker
                + " is not closed: add a line with "
                + marker);
        add(TokenKind.STRING, "<<" + marker, "", at);
        return;
      }
      int end = src.indexOf('\n', pos);
      String text = end < 0 ? src.substring(pos) : src.substring(pos, end);
      if (text.endsWith("\r")) {
        text = text.substring(0, text.length() - 1);
      }
      if (text.strip().equals(marker)) {
        pos = end < 0 ? src.length() : end;
        break;
      }
      checkHeredocLine(text);
      lines.add(text);
      if (end < 0) {
        pos = src.length();
      } else {
        pos = end + 1;
        startLine();
      }
    }
    if (indented) {
      lines = stripCommonIndent(lines);
    }
    StringBuilder value = new StringBuilder();
    for (String l : lines) {
      value.append(unescapeTemplate(l)).append('\n');
    }
    add(TokenKind.STRING, "<<" + marker, value.toString(), at);
  }

  private void checkHeredocLine(String text) {
    for (int i = 0; i + 1 < text.length(); i++) {
      char c = text.charAt(i);
      if ((c == '$' || c == '%') && text.charAt(i + 1) == '{') {
        if (i > 0 && text.charAt(i - 1) == c) {
          continue;
        }
        error(
            new Position(line, i + 1),
            c == '$'
                ? "interpolation `${...}` is not supported: write the value literally (or `$${` for a literal `${`)"
                : "template directives `%{...}` are not supported (write `%%{` for a literal `%{`)");
      }
    }
  }

  private static String unescapeTemplate(String text) {
    return text.replace("$${", "${").replace("%%{", "%{");
  }

  private static List<String> stripCommonIndent(List<String> lines) {
    int indent = Integer.MAX_VALUE;
    for (String l : lines) {
      if (l.isBlank()) {
        continue;
      }
      int n = 0;
      while (n < l.length() && (l.charAt(n) == ' ' || l.charAt(n) == '\t')) {
        n++;
      }
      indent = Math.min(indent, n);
    }
    int cut = indent == Integer.MAX_VALUE ? 0 : indent;
    return lines.stream().map(l -> l.length() >= cut ? l.substring(cut) : "").toList();
  }

  private void number() {
    Position at = here();
    int start = pos;
    if (src.charAt(pos) == '-') {
      pos++;
    }
    digits();
    if (peekChar(0) == '.' && isDigit(peekChar(1))) {
      pos++;
      digits();
    }
    if ((peekChar(0) == 'e' || peekChar(0) == 'E')
        && (isDigit(peekChar(1))
            || ((peekChar(1) == '+' || peekChar(1) == '-') && isDigit(peekChar(2))))) {
      pos += 2;
      digits();
    }
    String text = src.substring(start, pos);
    if (isIdentPart(peekChar(0)) || peekChar(0) == '.') {
      while (pos < src.length() && (isIdentPart(src.charAt(pos)) || src.charAt(pos) == '.')) {
        pos++;
      }
      error(at, "invalid number `" + src.substring(start, pos) + "` (strings need double quotes)");
      add(TokenKind.ERROR, src.substring(start, pos), null, at);
      return;
    }
    BigDecimal value;
    try {
      value = new BigDecimal(text);
    } catch (NumberFormatException | ArithmeticException e) {
      error(at, "invalid number `" + text + "`");
      add(TokenKind.ERROR, text, null, at);
      return;
    }
    add(TokenKind.NUMBER, text, value, at);
  }

  private void digits() {
    while (isDigit(peekChar(0))) {
      pos++;
    }
  }

  private void identifier() {
    Position at = here();
    int start = pos;
    while (pos < src.length() && isIdentPart(src.charAt(pos))) {
      pos++;
    }
    add(TokenKind.IDENT, src.substring(start, pos), null, at);
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isHex(int c) {
    return isDigit((char) c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  private static boolean isIdentStart(char c) {
    return c == '_' || Character.isLetter(c);
  }

  private static boolean isIdentPart(char c) {
    return c == '_' || c == '-' || Character.isLetterOrDigit(c);
  }

  private char peekChar(int ahead) {
    int p = pos + ahead;
    return p < src.length() ? src.charAt(p) : '\0';
  }

  private void startLine() {
    line++;
    lineStart = pos;
  }

  private Position here() {
    return new Position(line, pos - lineStart + 1);
  }

  private void add(TokenKind kind, String text, Object value, Position at) {
    tokens.add(new Token(kind, text, value, at));
  }

  private void error(Position at, String message) {
    errors.add(new HclError(at, message));
    lastErrorLine = at.line();
  }
}
