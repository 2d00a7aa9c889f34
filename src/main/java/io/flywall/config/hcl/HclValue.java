package io.flywall.config.hcl;

import java.math.BigDecimal;
import java.util.List;

/** A literal value: the closed set of expressions this parser accepts. */
public sealed interface HclValue {
  Position position();

  /** The value's type as an error message names it: "a string", "a number", ... */
  String kindName();

  record Str(String value, Position position) implements HclValue {
    @Override
    public String kindName() {
      return "a string";
    }
  }

  record Num(BigDecimal value, Position position) implements HclValue {
    @Override
    public String kindName() {
      return "a number";
    }
  }

  record Bool(boolean value, Position position) implements HclValue {
    @Override
    public String kindName() {
      return "a bool";
    }
  }

  record ListValue(List<HclValue> elements, Position position) implements HclValue {
    public ListValue {
      elements = List.copyOf(elements);
    }

    @Override
    public String kindName() {
      return "a list";
    }
  }

  record ObjectValue(List<Entry> entries, Position position) implements HclValue {
    public ObjectValue {
      entries = List.copyOf(entries);
    }

    @Override
    public String kindName() {
      return "an object";
    }
  }

  /** One {@code key = value} of an object. */
  record Entry(String key, Position position, HclValue value) {}
}
