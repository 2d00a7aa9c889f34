package io.flywall.config.hcl;

/** The kinds of token the lexer produces; ERROR marks text already reported as an error. */
enum TokenKind {
  IDENT("a name"),
  NUMBER("a number"),
  STRING("a string"),
  LBRACE("`{`"),
  RBRACE("`}`"),
  LBRACKET("`[`"),
  RBRACKET("`]`"),
  COMMA("`,`"),
  EQUALS("`=`"),
  COLON("`:`"),
  NEWLINE("end of line"),
  ERROR("invalid text"),
  EOF("end of file");

  private final String description;

  TokenKind(String description) {
    this.description = description;
  }

  String description() {
    return description;
  }
}
