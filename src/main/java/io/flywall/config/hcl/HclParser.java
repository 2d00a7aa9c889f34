package io.flywall.config.hcl;

import java.math.BigDecimal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses HCL native syntax into an {@link HclBody}. Strict where lenient parsers go wrong: one
 * attribute or block per line, nothing after a value but the end of the line, every bracket closed.
 * After an error it resumes at the next line or closing brace, so all the errors of a file are
 * reported together.
 */
public final class HclParser {
  /** Deeper nesting than this is not a config file; refusing it keeps the stack bounded. */
  static final int MAX_DEPTH = 64;

  private final List<Token> tokens;
  private final List<HclError> errors;
  private final List<int[]> sensitiveLines = new ArrayList<>();
  private Set<String> sensitive = Set.of();
  private int index;
  private int depth;

  private HclParser(List<Token> tokens, List<HclError> errors) {
    this.tokens = tokens;
    this.errors = errors;
  }

  /** Parses a whole file; throws with every syntax error if there is any. */
  public static HclBody parse(String text) throws HclSyntaxException {
    return parse(text, Set.of());
  }

  /**
   * Parses a whole file; errors on the lines of an attribute named in {@code sensitive} have every
   * quoted source fragment replaced, so that a mistyped secret is not echoed.
   */
  public static HclBody parse(String text, Set<String> sensitive) throws HclSyntaxException {
    List<HclError> errors = new ArrayList<>();
    List<Token> tokens = new HclLexer(text, errors).tokenize();
    HclParser parser = new HclParser(tokens, errors);
    parser.sensitive = sensitive;
    HclBody body = parser.body(null);
    if (!errors.isEmpty()) {
      List<HclError> sorted = new ArrayList<>(errors.stream().map(parser::redact).toList());
      sorted.sort(
          Comparator.comparingInt((HclError e) -> e.position().line())
              .thenComparingInt(e -> e.position().column()));
      throw new HclSyntaxException(sorted.stream().distinct().toList());
    }
    return body;
  }

  /** Thrown after an error is recorded, to unwind to the item being parsed. */
  private static final class Failure extends RuntimeException {
    Failure() {
      super(null, null, false, false);
    }
  }

  private HclBody body(Token opener) {
    List<HclNode> items = new ArrayList<>();
    Map<String, Position> attributes = new HashMap<>();
    while (true) {
      skipNewlines();
      Token tok = peek();
      if (tok.kind() == TokenKind.EOF) {
        if (opener != null) {
          error(
              opener.position(),
              "block `"
                  + opener.text()
                  + "` is not closed: a `}` is missing"
                  + " (in it or in one of its nested blocks)");
        }
        return new HclBody(items);
      }
      if (tok.kind() == TokenKind.RBRACE) {
        next();
        if (opener != null) {
          return new HclBody(items);
        }
        error(tok.position(), "unexpected `}`: there is no open block to close");
        continue;
      }
      int start = index;
      boolean secret = tok.kind() == TokenKind.IDENT && sensitive.contains(tok.text());
      try {
        HclNode node = item();
        if (node instanceof HclAttribute attribute) {
          Position first = attributes.putIfAbsent(attribute.name(), attribute.position());
          if (first != null) {
            error(
                attribute.position(),
                "attribute `"
                    + attribute.name()
                    + "` is set twice (first at line "
                    + first.line()
                    + ")");
            continue;
          }
        }
        items.add(node);
      } catch (Failure failure) {
        recover(start);
      } finally {
        if (secret) {
          sensitiveLines.add(new int[] {tok.position().line(), peek().position().line()});
        }
      }
    }
  }

  private static final Pattern QUOTED = Pattern.compile("`[^`]*`");

  private HclError redact(HclError error) {
    int line = error.position().line();
    if (sensitiveLines.stream().noneMatch(span -> span[0] <= line && line <= span[1])) {
      return error;
    }
    String message =
        QUOTED
            .matcher(error.message())
            .replaceAll(
                m ->
                    sensitive.contains(m.group().substring(1, m.group().length() - 1))
                        ? Matcher.quoteReplacement(m.group())
                        : "`…`");
    return new HclError(error.position(), message);
  }

  private HclNode item() {
    Token name = next();
    if (name.kind() != TokenKind.IDENT) {
      throw fail(name, "expected an attribute or a block, found " + name.describe());
    }
    if (peek().kind() == TokenKind.EQUALS) {
      next();
      HclValue value = expression();
      endOfItem("the value of `" + name.text() + "`");
      return new HclAttribute(name.text(), name.position(), value);
    }
    List<String> labels = new ArrayList<>();
    while (peek().kind() == TokenKind.STRING || peek().kind() == TokenKind.IDENT) {
      labels.add(labelText(next()));
    }
    Token brace = peek();
    if (brace.kind() != TokenKind.LBRACE) {
      throw fail(
          brace,
          labels.isEmpty()
              ? "expected `=` or `{` after `" + name.text() + "`, found " + brace.describe()
              : "expected `{` after the labels of block `"
                  + name.text()
                  + "`, found "
                  + brace.describe());
    }
    next();
    enter(brace);
    HclBody body = body(name);
    depth--;
    endOfItem("block `" + name.text() + "`");
    return new HclBlock(name.text(), labels, name.position(), body);
  }

  private static String labelText(Token token) {
    return token.kind() == TokenKind.STRING ? (String) token.value() : token.text();
  }

  private void endOfItem(String what) {
    Token tok = peek();
    switch (tok.kind()) {
      case NEWLINE, EOF, RBRACE -> {}
      default ->
          throw fail(
              tok,
              "expected end of line after "
                  + what
                  + ", found "
                  + tok.describe()
                  + " (one attribute or block per line)");
    }
  }

  private HclValue expression() {
    Token tok = next();
    switch (tok.kind()) {
      case STRING:
        return new HclValue.Str((String) tok.value(), tok.position());
      case NUMBER:
        return new HclValue.Num((BigDecimal) tok.value(), tok.position());
      case IDENT:
        switch (tok.text()) {
          case "true":
            return new HclValue.Bool(true, tok.position());
          case "false":
            return new HclValue.Bool(false, tok.position());
          case "null":
            throw fail(tok, "`null` is not supported: leave the attribute out to get its default");
          default:
            throw fail(
                tok,
                "expected a value, found "
                    + tok.describe()
                    + " (strings need double quotes; references and expressions are not supported)");
        }
      case LBRACKET:
        enter(tok);
        try {
          return list(tok);
        } finally {
          depth--;
        }
      case LBRACE:
        enter(tok);
        try {
          return object(tok);
        } finally {
          depth--;
        }
      default:
        throw fail(tok, "expected a value, found " + tok.describe());
    }
  }

  private HclValue list(Token open) {
    List<HclValue> elements = new ArrayList<>();
    while (true) {
      boolean newline = skipNewlines();
      Token tok = peek();
      if (tok.kind() == TokenKind.RBRACKET) {
        next();
        return new HclValue.ListValue(elements, open.position());
      }
      if (tok.kind() == TokenKind.EOF || (newline && startsAttribute())) {
        throw fail(open, "list is not closed: a `]` is missing");
      }
      elements.add(expression());
      newline = skipNewlines();
      Token sep = peek();
      if (sep.kind() == TokenKind.COMMA) {
        next();
      } else if (sep.kind() != TokenKind.RBRACKET) {
        if (sep.kind() == TokenKind.EOF || (newline && startsAttribute())) {
          throw fail(open, "list is not closed: a `]` is missing");
        }
        throw fail(sep, "expected `,` or `]` in the list, found " + sep.describe());
      }
    }
  }

  private HclValue object(Token open) {
    List<HclValue.Entry> entries = new ArrayList<>();
    Map<String, Position> keys = new HashMap<>();
    while (true) {
      skipNewlines();
      Token key = next();
      if (key.kind() == TokenKind.RBRACE) {
        return new HclValue.ObjectValue(entries, open.position());
      }
      if (key.kind() == TokenKind.EOF) {
        throw fail(open, "object is not closed: a `}` is missing");
      }
      if (key.kind() != TokenKind.IDENT && key.kind() != TokenKind.STRING) {
        throw fail(key, "expected an object key, found " + key.describe());
      }
      Token eq = next();
      if (eq.kind() != TokenKind.EQUALS && eq.kind() != TokenKind.COLON) {
        throw fail(eq, "expected `=` after the object key, found " + eq.describe());
      }
      HclValue value = expression();
      String name = labelText(key);
      if (keys.putIfAbsent(name, key.position()) != null) {
        error(key.position(), "object key `" + name + "` is set twice");
      } else {
        entries.add(new HclValue.Entry(name, key.position(), value));
      }
      Token sep = peek();
      switch (sep.kind()) {
        case COMMA -> next();
        case NEWLINE, RBRACE -> {}
        default ->
            throw fail(
                sep, "expected `,`, a line break or `}` in the object, found " + sep.describe());
      }
    }
  }

  /**
   * True when the next tokens read {@code name =}: a new attribute, so a list above was left open.
   */
  private boolean startsAttribute() {
    return peek().kind() == TokenKind.IDENT
        && index + 1 < tokens.size()
        && tokens.get(index + 1).kind() == TokenKind.EQUALS;
  }

  /**
   * Skips the broken item that began at {@code start}: to the end of its line, past any brackets it
   * opened, but never past the `}` that closes the enclosing block.
   */
  private void recover(int start) {
    index = start;
    Deque<TokenKind> open = new ArrayDeque<>();
    while (true) {
      Token tok = peek();
      switch (tok.kind()) {
        case EOF:
          return;
        case NEWLINE:
          next();
          if (open.isEmpty() || (!open.contains(TokenKind.LBRACE) && startsAttribute())) {
            return;
          }
          break;
        case LBRACE:
        case LBRACKET:
          open.push(tok.kind());
          next();
          break;
        case RBRACE:
          while (!open.isEmpty() && open.peek() == TokenKind.LBRACKET) {
            open.pop(); // a `]` went missing; this brace belongs to a block
          }
          if (open.isEmpty()) {
            return;
          }
          open.pop();
          next();
          break;
        case RBRACKET:
          if (!open.isEmpty() && open.peek() == TokenKind.LBRACKET) {
            open.pop();
          }
          next();
          break;
        default:
          next();
      }
    }
  }

  private void enter(Token opener) {
    if (++depth > MAX_DEPTH) {
      depth--;
      throw fail(opener, "nesting is deeper than " + MAX_DEPTH + " levels");
    }
  }

  private boolean skipNewlines() {
    boolean any = false;
    while (peek().kind() == TokenKind.NEWLINE) {
      next();
      any = true;
    }
    return any;
  }

  private Token peek() {
    return tokens.get(index);
  }

  private Token next() {
    Token tok = tokens.get(index);
    if (tok.kind() != TokenKind.EOF) {
      index++;
    }
    return tok;
  }

  private Failure fail(Token at, String message) {
    // The lexer has already reported what made an ERROR token; a second message would be noise.
    if (at.kind() != TokenKind.ERROR) {
      error(at.position(), message);
    }
    return new Failure();
  }

  private void error(Position at, String message) {
    errors.add(new HclError(at, message));
  }
}
