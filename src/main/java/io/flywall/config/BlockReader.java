package io.flywall.config;

import io.flywall.config.hcl.HclAttribute;
import io.flywall.config.hcl.HclBlock;
import io.flywall.config.hcl.HclBody;
import io.flywall.config.hcl.HclNode;
import io.flywall.config.hcl.HclParser;
import io.flywall.config.hcl.HclSyntaxException;
import io.flywall.config.hcl.HclValue;
import io.flywall.config.hcl.Position;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Reads one block against its {@link BlockSpec}: reports unknown names with a suggestion, and
 * converts attribute values to their types, reporting wrong types and out-of-range values. A getter
 * returns empty when the value is absent without default or is wrong.
 */
final class BlockReader {
  private static final Map<String, HclValue> DEFAULTS = new HashMap<>();

  private final BlockSpec spec;
  private final Position position;
  private final ProblemLog log;
  private final Map<String, HclAttribute> attributes = new LinkedHashMap<>();
  private final Map<String, List<HclBlock>> blocks = new LinkedHashMap<>();

  private BlockReader(BlockSpec spec, Position position, HclBody body, ProblemLog log) {
    this.spec = spec;
    this.position = position;
    this.log = log;
    for (HclNode node : body.items()) {
      if (node instanceof HclAttribute attribute) {
        classify(attribute);
      } else if (node instanceof HclBlock block) {
        classify(block);
      }
    }
  }

  static BlockReader root(HclBody body, ProblemLog log) {
    return new BlockReader(ConfigSchema.ROOT, new Position(1, 1), body, log);
  }

  /** A reader for one written block of {@code spec}, read on its own. */
  static BlockReader of(BlockSpec spec, HclBlock block, ProblemLog log) {
    return new BlockReader(spec, block.position(), block.body(), log);
  }

  Position position() {
    return position;
  }

  String where() {
    return spec.path().isEmpty() ? "at the top level" : "in block `" + spec.path() + "`";
  }

  private void classify(HclAttribute attribute) {
    String name = attribute.name();
    if (spec.attribute(name).isPresent()) {
      attributes.put(name, attribute);
    } else if (spec.block(name).isPresent()) {
      log.error(
          attribute.position(),
          "`" + name + "` is a block, not an attribute: write `" + name + " { ... }`");
    } else {
      log.error(attribute.position(), "unknown attribute `" + name + "` " + where() + hint(name));
    }
  }

  private void classify(HclBlock block) {
    String name = block.name();
    if (spec.block(name).isPresent()) {
      if (!block.labels().isEmpty()) {
        log.error(
            block.position(), "block `" + name + "` takes no labels: write `" + name + " { ... }`");
      }
      blocks.computeIfAbsent(name, n -> new ArrayList<>()).add(block);
    } else if (spec.attribute(name).isPresent()) {
      log.error(
          block.position(),
          "`" + name + "` is an attribute, not a block: write `" + name + " = ...`");
    } else {
      log.error(block.position(), "unknown block `" + name + "` " + where() + hint(name));
    }
  }

  /** "; did you mean `x`?", or where else in the schema the name belongs, or the known names. */
  private String hint(String name) {
    List<String> known =
        Stream.concat(
                spec.attributes().stream().map(AttributeSpec::name),
                spec.blocks().stream().map(BlockSpec::name))
            .toList();
    Optional<String> close = NameSuggestion.closest(name, known);
    if (close.isPresent()) {
      return "; did you mean `" + close.get() + "`?";
    }
    for (BlockSpec other : ConfigSchema.blocksByPath().values()) {
      if (other.attribute(name).isPresent() || other.block(name).isPresent()) {
        return "; `"
            + name
            + "` belongs in "
            + (other.path().isEmpty() ? "the top level" : "block `" + other.path() + "`");
      }
    }
    return known.isEmpty() ? "" : "; known here: " + String.join(", ", known);
  }

  boolean isSet(String name) {
    return attributes.containsKey(name);
  }

  /** Where the attribute's name is written, or this block's position when it is not set. */
  Position positionOf(String name) {
    HclAttribute attribute = attributes.get(name);
    return attribute == null ? position : attribute.position();
  }

  /** Where the attribute's value is written, or this block's position when it is not set. */
  Position valuePositionOf(String name) {
    HclAttribute attribute = attributes.get(name);
    return attribute == null ? position : attribute.value().position();
  }

  // ---- nested blocks

  /** Every block of that name; a non-repeatable block written twice is an error. */
  List<BlockReader> blocks(String name) {
    BlockSpec child = spec.block(name).orElseThrow(() -> unknownInSchema(name));
    List<HclBlock> found = blocks.getOrDefault(name, List.of());
    if (!child.repeatable() && found.size() > 1) {
      for (HclBlock extra : found.subList(1, found.size())) {
        log.error(
            extra.position(),
            "block `"
                + name
                + "` may appear only once "
                + where()
                + " (first at line "
                + found.get(0).position().line()
                + ")");
      }
      found = found.subList(0, 1);
    }
    return found.stream().map(b -> new BlockReader(child, b.position(), b.body(), log)).toList();
  }

  /** A reader for a child block that is not written: every attribute takes its default. */
  BlockReader emptyChild(String name) {
    BlockSpec child = spec.block(name).orElseThrow(() -> unknownInSchema(name));
    return new BlockReader(child, position, new HclBody(List.of()), log);
  }

  Optional<BlockReader> block(String name) {
    return blocks(name).stream().findFirst();
  }

  // ---- single values

  Optional<String> string(String name) {
    return read(name, ValueType.STRING, this::asString);
  }

  Optional<Secret> secret(String name) {
    // Never quote the value: the message must not leak the secret.
    return read(name, ValueType.SECRET, (a, v) -> asString(a, v).map(Secret::new));
  }

  Optional<String> interfaceName(String name) {
    return read(name, ValueType.INTERFACE, this::asInterface);
  }

  Optional<Integer> integer(String name) {
    return read(name, ValueType.INT, this::asInteger);
  }

  Optional<Boolean> bool(String name) {
    return read(name, ValueType.BOOL, this::asBool);
  }

  Optional<Duration> duration(String name) {
    return read(name, ValueType.DURATION, this::asDuration);
  }

  Optional<HostPort> hostPort(String name) {
    return read(name, ValueType.HOST_PORT, this::asHostPort);
  }

  Optional<Path> path(String name) {
    return read(name, ValueType.PATH, this::asPath);
  }

  Optional<Cidr> cidr(String name) {
    return read(name, ValueType.CIDR, this::asCidr);
  }

  <E extends Enum<E>> Optional<E> choice(String name, Class<E> type) {
    return read(
        name,
        ValueType.ENUM,
        (a, v) ->
            asString(a, v)
                .flatMap(
                    s -> {
                      if (a.allowed().contains(s)) {
                        return Optional.of(Enum.valueOf(type, s.toUpperCase(Locale.ROOT)));
                      }
                      log.error(
                          v.position(),
                          "`"
                              + a.name()
                              + "` must be one of "
                              + a.rangeText()
                              + "; got \""
                              + s
                              + "\"");
                      return Optional.empty();
                    }));
  }

  // ---- lists

  Optional<List<String>> interfaces(String name) {
    return list(name, ValueType.INTERFACE_LIST, this::asInterface);
  }

  Optional<List<HostPort>> hostPorts(String name) {
    return list(name, ValueType.HOST_PORT_LIST, this::asHostPort);
  }

  Optional<List<InetAddress>> ips(String name) {
    return list(
        name,
        ValueType.IP_LIST,
        (a, v) ->
            asString(a, v)
                .flatMap(
                    s -> {
                      try {
                        return Optional.of(IpLiteral.parse(s));
                      } catch (IllegalArgumentException e) {
                        log.error(v.position(), "`" + a.name() + "`: " + e.getMessage());
                        return Optional.empty();
                      }
                    }));
  }

  Optional<List<Path>> paths(String name) {
    return list(name, ValueType.PATH_LIST, this::asPath);
  }

  Optional<List<Cidr>> cidrs(String name) {
    return list(name, ValueType.CIDR_LIST, this::asCidr);
  }

  private interface Conversion<T> {
    Optional<T> apply(AttributeSpec spec, HclValue value);
  }

  private <T> Optional<T> read(String name, ValueType type, Conversion<T> conversion) {
    AttributeSpec attribute = attributeSpec(name, type);
    return value(attribute).flatMap(v -> conversion.apply(attribute, v));
  }

  /** A list converts to empty if any element is wrong; each wrong element is reported. */
  private <T> Optional<List<T>> list(String name, ValueType type, Conversion<T> element) {
    AttributeSpec attribute = attributeSpec(name, type);
    Optional<HclValue> value = value(attribute);
    if (value.isEmpty()) {
      return Optional.of(List.of());
    }
    if (!(value.get() instanceof HclValue.ListValue list)) {
      return typeError(attribute, value.get(), "a list, e.g. [\"a\", \"b\"]");
    }
    List<T> out = new ArrayList<>();
    boolean ok = true;
    Map<T, Position> seen = new HashMap<>();
    for (HclValue item : list.elements()) {
      Optional<T> converted = element.apply(attribute, item);
      if (converted.isEmpty()) {
        ok = false;
        continue;
      }
      if (seen.putIfAbsent(converted.get(), item.position()) != null) {
        log.error(item.position(), "`" + name + "` lists " + converted.get() + " twice");
        ok = false;
        continue;
      }
      out.add(converted.get());
    }
    return ok ? Optional.of(List.copyOf(out)) : Optional.empty();
  }

  private AttributeSpec attributeSpec(String name, ValueType type) {
    AttributeSpec attribute = spec.attribute(name).orElseThrow(() -> unknownInSchema(name));
    if (attribute.type() != type) {
      throw new IllegalStateException(
          "schema says "
              + spec.path()
              + "."
              + name
              + " is "
              + attribute.type()
              + ", the binder reads it as "
              + type);
    }
    return attribute;
  }

  private IllegalStateException unknownInSchema(String name) {
    return new IllegalStateException(
        "the binder reads " + spec.path() + "." + name + ", which ConfigSchema lacks");
  }

  private Optional<HclValue> value(AttributeSpec attribute) {
    HclAttribute written = attributes.get(attribute.name());
    if (written != null) {
      return Optional.of(written.value());
    }
    return attribute.defaultHcl().map(BlockReader::defaultValue);
  }

  /** The schema's default literal, parsed by the same parser as the file, so both read alike. */
  private static HclValue defaultValue(String hcl) {
    synchronized (DEFAULTS) {
      return DEFAULTS.computeIfAbsent(
          hcl,
          text -> {
            try {
              return ((HclAttribute) HclParser.parse("default = " + text).items().get(0)).value();
            } catch (HclSyntaxException e) {
              throw new IllegalStateException("schema default is not valid HCL: " + text, e);
            }
          });
    }
  }

  // ---- conversions

  private <T> Optional<T> typeError(AttributeSpec a, HclValue v, String expected) {
    String hint = "";
    if (v instanceof HclValue.Str s && a.type() != ValueType.SECRET) {
      if (a.type() == ValueType.INT && s.value().matches("-?\\d+")) {
        hint = " (write " + s.value() + " without quotes)";
      } else if (a.type() == ValueType.BOOL
          && (s.value().equals("true") || s.value().equals("false"))) {
        hint = " (write " + s.value() + " without quotes)";
      }
    }
    log.error(
        v.position(), "`" + a.name() + "` must be " + expected + ", not " + v.kindName() + hint);
    return Optional.empty();
  }

  private Optional<String> asString(AttributeSpec a, HclValue v) {
    if (v instanceof HclValue.Str s) {
      return Optional.of(s.value());
    }
    return typeError(a, v, a.type().isList() ? "a list of strings" : "a string");
  }

  private Optional<String> asInterface(AttributeSpec a, HclValue v) {
    return asString(a, v)
        .flatMap(
            s -> {
              // The kernel's rules for a device name (dev_valid_name): 1..15 bytes, no '/', ':' or
              // space.
              boolean valid =
                  !s.isEmpty()
                      && s.length() <= 15
                      && !s.equals(".")
                      && !s.equals("..")
                      && s.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != '/' && c != ':');
              if (!valid) {
                log.error(
                    v.position(),
                    "`"
                        + a.name()
                        + "`: \""
                        + s
                        + "\" is not an interface name"
                        + " (1 to 15 characters, no '/', ':' or spaces)");
                return Optional.empty();
              }
              return Optional.of(s);
            });
  }

  private Optional<Integer> asInteger(AttributeSpec a, HclValue v) {
    if (!(v instanceof HclValue.Num n)) {
      return typeError(a, v, "an integer");
    }
    BigDecimal value = n.value();
    if (value.signum() != 0 && value.stripTrailingZeros().scale() > 0) {
      log.error(
          v.position(), "`" + a.name() + "` must be a whole number, got " + value.toPlainString());
      return Optional.empty();
    }
    if (value.compareTo(BigDecimal.valueOf(a.min())) < 0
        || value.compareTo(BigDecimal.valueOf(a.max())) > 0) {
      String range =
          a.max() == Integer.MAX_VALUE
              ? "at least " + a.min()
              : "between " + a.min() + " and " + a.max();
      log.error(
          v.position(), "`" + a.name() + "` must be " + range + ", got " + shortNumber(value));
      return Optional.empty();
    }
    return Optional.of(value.intValueExact());
  }

  private static String shortNumber(BigDecimal value) {
    String plain =
        value.abs().compareTo(BigDecimal.valueOf(1_000_000_000_000L)) < 0
            ? value.toPlainString()
            : value.toString();
    return plain.length() > 30 ? plain.substring(0, 30) + "..." : plain;
  }

  private Optional<Boolean> asBool(AttributeSpec a, HclValue v) {
    if (v instanceof HclValue.Bool b) {
      return Optional.of(b.value());
    }
    return typeError(a, v, "a bool (true or false)");
  }

  private Optional<Duration> asDuration(AttributeSpec a, HclValue v) {
    Duration d;
    if (v instanceof HclValue.Num n) {
      BigDecimal value = n.value();
      if (value.signum() < 0) {
        log.error(
            v.position(), "`" + a.name() + "` must not be negative, got " + shortNumber(value));
        return Optional.empty();
      }
      if (value.signum() != 0 && value.stripTrailingZeros().scale() > 0) {
        log.error(
            v.position(),
            "`"
                + a.name()
                + "` must be whole seconds, got "
                + shortNumber(value)
                + " (write a string such as \"1500ms\" for fractions)");
        return Optional.empty();
      }
      if (value.compareTo(BigDecimal.valueOf(999_999_999L)) > 0) {
        log.error(
            v.position(), "`" + a.name() + "` is too long: " + shortNumber(value) + " seconds");
        return Optional.empty();
      }
      d = Duration.ofSeconds(value.longValueExact());
    } else if (v instanceof HclValue.Str s) {
      try {
        d = DurationSyntax.parse(s.value());
      } catch (IllegalArgumentException e) {
        log.error(v.position(), "`" + a.name() + "` " + e.getMessage());
        return Optional.empty();
      }
    } else {
      return typeError(
          a, v, "a duration (whole seconds, or a string like \"250ms\", \"1s\", \"5m\")");
    }
    if (d.toMillis() < a.min()) {
      log.error(v.position(), "`" + a.name() + "` must be longer than 0");
      return Optional.empty();
    }
    return Optional.of(d);
  }

  private Optional<HostPort> asHostPort(AttributeSpec a, HclValue v) {
    return asString(a, v)
        .flatMap(
            s -> {
              try {
                return Optional.of(HostPort.parse(s));
              } catch (IllegalArgumentException e) {
                String message =
                    s.indexOf(':') < 0
                        ? "\"" + s + "\" has no port: write " + portExample(a.name())
                        : e.getMessage();
                log.error(v.position(), "`" + a.name() + "`: " + message);
                return Optional.empty();
              }
            });
  }

  /** An example that is right for this attribute: its port means something different in each. */
  private static String portExample(String attribute) {
    switch (attribute) {
      case "peer_addr":
      case "witness_addr":
        return "HOST:PORT with the peer's heartbeat_port, e.g. \"10.0.0.2:9002\"";
      case "peer_addrs":
      case "primary_addr":
        return "HOST:PORT with the peer's replication port (its listen_addr), e.g."
            + " \"10.0.0.2:9001\"";
      case "listen":
        return "HOST:PORT, e.g. \"127.0.0.1:8080\"";
      default:
        return "HOST:PORT, e.g. \"10.0.0.1:9001\" or \":9001\" (any local address)";
    }
  }

  private Optional<Path> asPath(AttributeSpec a, HclValue v) {
    return asString(a, v)
        .flatMap(
            s -> {
              if (s.isEmpty()) {
                log.error(v.position(), "`" + a.name() + "` must not be empty");
                return Optional.empty();
              }
              try {
                return Optional.of(Path.of(s));
              } catch (InvalidPathException e) {
                log.error(v.position(), "`" + a.name() + "`: not a valid path: " + e.getReason());
                return Optional.empty();
              }
            });
  }

  private Optional<Cidr> asCidr(AttributeSpec a, HclValue v) {
    return asString(a, v)
        .flatMap(
            s -> {
              try {
                return Optional.of(Cidr.parse(s));
              } catch (IllegalArgumentException e) {
                log.error(v.position(), "`" + a.name() + "`: " + e.getMessage());
                return Optional.empty();
              }
            });
  }
}
