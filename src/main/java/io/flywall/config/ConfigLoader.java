package io.flywall.config;

import io.flywall.config.hcl.HclBody;
import io.flywall.config.hcl.HclError;
import io.flywall.config.hcl.HclParser;
import io.flywall.config.hcl.HclSyntaxException;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Reads, parses and binds a config file. All or nothing: a {@link LoadedConfig}, or a {@link
 * ConfigException} listing every syntax error or, if the syntax is fine, every schema and
 * validation error.
 */
public final class ConfigLoader {
  /** Larger than any sane config; refusing it bounds the memory a wrong path can cost. */
  static final long MAX_FILE_BYTES = 1 << 20;

  /** Attributes whose text must never be echoed in a syntax error. */
  private static final Set<String> SECRET_ATTRIBUTES =
      ConfigSchema.blocksByPath().values().stream()
          .flatMap(b -> b.attributes().stream())
          .filter(a -> a.type() == ValueType.SECRET)
          .map(AttributeSpec::name)
          .collect(Collectors.toUnmodifiableSet());

  private final Supplier<String> hostname;

  /**
   * @param hostname the default node_id; called only when the file sets none
   */
  public ConfigLoader(Supplier<String> hostname) {
    this.hostname = Objects.requireNonNull(hostname, "hostname");
  }

  /** A loader whose default node_id is this machine's hostname. */
  public static ConfigLoader withSystemHostname() {
    return new ConfigLoader(ConfigLoader::systemHostname);
  }

  public LoadedConfig load(Path file) throws ConfigException {
    return parse(file.toString(), read(file), Optional.of(file.toAbsolutePath().normalize()));
  }

  /**
   * Only the {@code api} block of {@code file} (and {@code state_dir}, where the token file lives
   * by default): what a client command needs to reach the daemon. Errors elsewhere in the file are
   * not this reader's business; the file must parse, and the api block must be valid.
   */
  public ApiConfig loadApi(Path file) throws ConfigException {
    String name = file.toString();
    HclBody body = syntax(name, read(file));
    ProblemLog log = new ProblemLog(name);
    Optional<ApiConfig> api = new ConfigBinder(hostname, Optional.empty(), log).bindApi(body);
    if (api.isEmpty()) {
      throw new ConfigException(log.errors());
    }
    return api.get();
  }

  private static String read(Path file) throws ConfigException {
    String name = file.toString();
    byte[] bytes;
    try {
      if (Files.isDirectory(file)) {
        throw fileProblem(name, "is a directory, not a config file");
      }
      if (Files.size(file) > MAX_FILE_BYTES) {
        throw fileProblem(
            name, "is larger than " + MAX_FILE_BYTES + " bytes; is this the right file?");
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw fileProblem(name, "cannot read the config: no such file");
    } catch (AccessDeniedException e) {
      throw fileProblem(name, "cannot read the config: permission denied");
    } catch (IOException e) {
      throw fileProblem(name, "cannot read the config: " + e.getMessage());
    }
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      throw fileProblem(name, "is not valid UTF-8 text");
    }
    return text;
  }

  public LoadedConfig parse(String fileName, String text) throws ConfigException {
    return parse(fileName, text, Optional.empty());
  }

  private LoadedConfig parse(String fileName, String text, Optional<Path> file)
      throws ConfigException {
    HclBody body = syntax(fileName, text);
    ProblemLog log = new ProblemLog(fileName);
    Optional<FlywallConfig> config = new ConfigBinder(hostname, file, log).bind(body);
    if (config.isEmpty()) {
      throw new ConfigException(log.errors());
    }
    return new LoadedConfig(config.get(), log.warnings());
  }

  private static HclBody syntax(String fileName, String text) throws ConfigException {
    try {
      return HclParser.parse(text, SECRET_ATTRIBUTES);
    } catch (HclSyntaxException e) {
      throw new ConfigException(e.errors().stream().map(err -> problem(fileName, err)).toList());
    }
  }

  private static ConfigProblem problem(String file, HclError error) {
    return new ConfigProblem(
        file, error.position().line(), error.position().column(), error.message());
  }

  private static ConfigException fileProblem(String file, String message) {
    return new ConfigException(List.of(new ConfigProblem(file, 0, 0, message)));
  }

  /**
   * The kernel's hostname without a DNS round trip; InetAddress only as a last resort. Null when it
   * cannot be told.
   */
  public static String systemHostname() {
    try {
      String name = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
      if (!name.isEmpty()) {
        return name;
      }
    } catch (IOException | RuntimeException e) {
      // Not Linux, or /proc not mounted: fall through.
    }
    String env = System.getenv("HOSTNAME");
    if (env != null && !env.isBlank()) {
      return env.strip();
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return null;
    }
  }
}
