package io.flywall.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/** One human-readable line per monitor event: time, type, then the event's fields. */
final class MonitorLine {
  private MonitorLine() {}

  static String format(String type, JsonNode event) {
    StringBuilder line = new StringBuilder();
    line.append(event.path("time").asText("")).append(' ').append(String.format("%-10s", type));
    for (Map.Entry<String, JsonNode> field : event.properties()) {
      if (field.getKey().equals("type") || field.getKey().equals("time")) {
        continue;
      }
      line.append(' ')
          .append(field.getKey())
          .append('=')
          .append(field.getValue().isTextual() ? field.getValue().asText() : field.getValue());
    }
    return line.toString();
  }
}
