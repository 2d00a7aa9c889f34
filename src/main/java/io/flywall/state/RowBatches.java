package io.flywall.state;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts n rows into statements of 64 rows and then of halving sizes (32, 16, ... 1), so multi-row
 * statements (one step for many rows: the per-statement cost of the driver is several times that of
 * a row) come in at most seven shapes, each prepared once.
 */
final class RowBatches {
  static final int LARGEST = 64;

  private RowBatches() {}

  /** The statement sizes for {@code n} rows, in order. */
  static List<Integer> sizes(int n) {
    List<Integer> sizes = new ArrayList<>(n / LARGEST + 7);
    int left = n;
    while (left >= LARGEST) {
      sizes.add(LARGEST);
      left -= LARGEST;
    }
    for (int size = LARGEST / 2; size >= 1; size /= 2) {
      if (left >= size) {
        sizes.add(size);
        left -= size;
      }
    }
    return sizes;
  }

  /** The text of the row at an index of a statement (0 for its first row). */
  @FunctionalInterface
  interface Row {
    String at(int index);
  }

  /** The SQL of one multi-row statement in each of the sizes {@link #sizes} uses, built once. */
  static final class Shapes {
    private final String[] bySize = new String[Integer.numberOfTrailingZeros(LARGEST) + 1];

    Shapes(String prefix, String row, String suffix) {
      this(prefix, index -> row, suffix);
    }

    /**
     * Rows that differ by their index: numbered parameters ({@code ?N}), some of them shared by
     * every row of the statement and bound once.
     */
    Shapes(String prefix, Row row, String suffix) {
      for (int i = 0; i < bySize.length; i++) {
        bySize[i] = repeat(prefix, row, 1 << i, suffix);
      }
    }

    /** The statement for {@code size} rows, a size {@link #sizes} returned. */
    String sql(int size) {
      return bySize[Integer.numberOfTrailingZeros(size)];
    }
  }

  /** {@code prefix} followed by rows 0 to {@code rows - 1}, comma-separated. */
  static String repeat(String prefix, Row row, int rows, String suffix) {
    StringBuilder sql = new StringBuilder(prefix.length() + rows * 40 + suffix.length());
    sql.append(prefix);
    for (int i = 0; i < rows; i++) {
      if (i > 0) {
        sql.append(',');
      }
      sql.append(row.at(i));
    }
    return sql.append(suffix).toString();
  }
}
