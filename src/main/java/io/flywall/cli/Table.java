package io.flywall.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * A plain text table with columns padded to their widest cell. A column given a width is wrapped at
 * word boundaries onto continuation lines, so one long cause does not make every line wide.
 */
final class Table {
  private final List<String[]> rows = new ArrayList<>();
  private final int[] maxWidth;

  Table(String... header) {
    rows.add(header);
    maxWidth = new int[header.length];
  }

  /** Wraps {@code column} (0-based) to at most {@code width} characters per line. */
  Table wrap(int column, int width) {
    maxWidth[column] = width;
    return this;
  }

  Table row(Object... cells) {
    String[] text = new String[cells.length];
    for (int i = 0; i < cells.length; i++) {
      text[i] = cells[i] == null ? "-" : String.valueOf(cells[i]);
    }
    rows.add(text);
    return this;
  }

  String render() {
    int columns = rows.get(0).length;
    List<String[]> lines = new ArrayList<>();
    for (String[] row : rows) {
      List<List<String>> parts = new ArrayList<>();
      int height = 1;
      for (int i = 0; i < columns; i++) {
        List<String> wrapped = maxWidth[i] > 0 ? wrapText(row[i], maxWidth[i]) : List.of(row[i]);
        parts.add(wrapped);
        height = Math.max(height, wrapped.size());
      }
      for (int k = 0; k < height; k++) {
        String[] line = new String[columns];
        for (int i = 0; i < columns; i++) {
          line[i] = k < parts.get(i).size() ? parts.get(i).get(k) : "";
        }
        lines.add(line);
      }
    }
    int[] width = new int[columns];
    for (String[] line : lines) {
      for (int i = 0; i < columns; i++) {
        width[i] = Math.max(width[i], line[i].length());
      }
    }
    StringBuilder out = new StringBuilder();
    for (String[] row : lines) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < columns; i++) {
        line.append(i == columns - 1 ? row[i] : String.format("%-" + (width[i] + 2) + "s", row[i]));
      }
      out.append(line.toString().stripTrailing()).append('\n');
    }
    return out.toString();
  }

  /** Lines of at most {@code width} characters, broken at spaces; a longer word is cut. */
  static List<String> wrapText(String text, int width) {
    List<String> out = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    for (String word : text.split(" ")) {
      while (word.length() > width) {
        if (line.length() > 0) {
          out.add(line.toString());
          line.setLength(0);
        }
        out.add(word.substring(0, width));
        word = word.substring(width);
      }
      if (line.length() > 0 && line.length() + 1 + word.length() > width) {
        out.add(line.toString());
        line.setLength(0);
      }
      if (line.length() > 0) {
        line.append(' ');
      }
      line.append(word);
    }
    if (line.length() > 0 || out.isEmpty()) {
      out.add(line.toString());
    }
    return out;
  }
}
