package io.flywall.config.hcl;

/**
 * One lexical token. For strings and heredocs {@code value} is the decoded text, for numbers a
 * {@link java.math.BigDecimal}; {@code text} is the source spelling.
 */
record Token(TokenKind kind, String text, Object value, Position position) {

  /** How the token reads in an error message. */
  String describe() {
    return switch (kind) {
      case IDENT -> "`" + text + "`";
      case NUMBER -> "number `" + text + "`";
      case STRING -> "a string";
      case NEWLINE, EOF, ERROR, LBRACE, RBRACE, LBRACKET, RBRACKET, COMMA, EQUALS, COLON ->
          kind.description();
    };
  }
}
