package io.flywall.cli;

import io.flywall.api.ApiToken;
import io.flywall.config.ApiConfig;
import io.flywall.config.ConfigException;
import io.flywall.config.ConfigLoader;
import io.flywall.config.HostPort;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** Where the client commands find the daemon's API and its token. */
final class ClientOptions {
  static final Path DEFAULT_CONFIG = Path.of("/etc/flywall/flywall.hcl");

  @Option(
      names = "--api",
      paramLabel = "URL",
      description =
          "The API's base URL, e.g. http://127.0.0.1:8080 (default: api.listen of the config).")
  URI api;

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description =
          "The daemon's config, read for api.listen and api.token_file (default:"
              + " ${DEFAULT-VALUE}, if it exists).",
      defaultValue = "/etc/flywall/flywall.hcl")
  Path config;

  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      description = "The file holding the API token (default: api.token_file of the config).")
  Path tokenFile;

  @Option(names = "--json", description = "Print the API's JSON instead of a table.")
  boolean json;

  ApiClient client() {
    Optional<ApiConfig> apiConfig = loadApiConfig();
    URI base =
        api != null
            ? api
            : apiConfig.map(c -> baseOf(c.listen())).orElse(URI.create("http://127.0.0.1:8080"));
    Path token =
        tokenFile != null
            ? tokenFile
            : apiConfig.map(ApiConfig::tokenFile).orElse(Path.of("/var/lib/flywall/api.token"));
    return new ApiClient(normalize(base), readToken(token, tokenFile != null));
  }

  private Optional<ApiConfig> loadApiConfig() {
    boolean explicit = !config.equals(DEFAULT_CONFIG);
    if (!Files.exists(config)) {
      if (explicit) {
        throw new UserError("config file " + config + " does not exist");
      }
      return Optional.empty();
    }
    try {
      return Optional.of(ConfigLoader.withSystemHostname().load(config).config().api());
    } catch (ConfigException e) {
      throw new UserError("cannot use config " + config + ":\n" + e.getMessage(), 2);
    }
  }

  private static Optional<String> readToken(Path file, boolean explicit) {
    if (!Files.isReadable(file)) {
      if (explicit) {
        throw new UserError(
            "cannot read token file " + file + "; run as the daemon's user (often root)");
      }
      return Optional.empty();
    }
    try {
      return Optional.of(ApiToken.read(file).value());
    } catch (IOException e) {
      throw new UserError(e.getMessage());
    }
  }

  static URI baseOf(HostPort listen) {
    String host = listen.host();
    if (host.isEmpty() || host.equals("0.0.0.0")) {
      host = "127.0.0.1";
    } else if (host.equals("::")) {
      host = "[::1]";
    } else if (host.contains(":") && !host.startsWith("[")) {
      host = "[" + host + "]";
    }
    return URI.create("http://" + host + ":" + listen.port());
  }

  private static URI normalize(URI base) {
    String text = base.toString();
    return URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
  }
}
