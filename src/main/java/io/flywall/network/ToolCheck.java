package io.flywall.network;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks at start that each OS tool the config's features need is on PATH, the same PATH the
 * commands will be looked up in, and says which Debian package provides a missing one.
 */
public final class ToolCheck {

  private final List<Path> directories;

  /** {@code searchPath} is a PATH value: directories separated by ':'. */
  public ToolCheck(String searchPath) {
    List<Path> dirs = new ArrayList<>();
    for (String dir : (searchPath == null ? "" : searchPath).split(File.pathSeparator)) {
      if (!dir.isEmpty()) {
        try {
          dirs.add(Path.of(dir));
        } catch (InvalidPathException e) {
          // An unusable PATH entry cannot hold a tool either.
        }
      }
    }
    this.directories = List.copyOf(dirs);
  }

  /** Checks against this process's PATH, where {@link ProcessCommandRunner} looks commands up. */
  public static ToolCheck ofProcessPath() {
    return new ToolCheck(System.getenv("PATH"));
  }

  /** The tools missing for {@code features}, in {@link Tool} order; empty when all are present. */
  public List<MissingTool> missing(Collection<NetworkFeature> features) {
    Map<Tool, Set<NetworkFeature>> needed = new EnumMap<>(Tool.class);
    for (NetworkFeature feature : features) {
      for (Tool tool : feature.tools()) {
        needed.computeIfAbsent(tool, t -> EnumSet.noneOf(NetworkFeature.class)).add(feature);
      }
    }
    List<MissingTool> missing = new ArrayList<>();
    needed.forEach(
        (tool, neededFor) -> {
          if (!present(tool)) {
            missing.add(new MissingTool(tool, neededFor));
          }
        });
    return missing;
  }

  public boolean present(Tool tool) {
    return directories.stream()
        .map(dir -> dir.resolve(tool.command()))
        .anyMatch(candidate -> Files.isRegularFile(candidate) && Files.isExecutable(candidate));
  }
}
