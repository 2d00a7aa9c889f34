package io.flywall.cli;

import io.flywall.api.ApiToken;
import io.flywall.config.ApiConfig;
import io.flywall.config.ConfigException;
import io.flywall.config.ConfigLoader;
import io.flywall.config.HostPort;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** Where the client commands find the daemon's API and its token. */
final class ClientOptions {
  static final Path DEFAULT_CONFIG = Path.of("/etc/flywall/flywall.hcl");
  private static final String URL_FORM = "http://HOST:PORT, e.g. http://127.0.0.1:8080";

  @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
  CommandLine.Model.CommandSpec mixee;

  @Option(
      names = "--api",
      paramLabel = "URL",
      description =
          "The API's base URL, http://HOST:PORT, e.g. http://127.0.0.1:8080 (default: api.listen"
              + " of the config).")
  String api;

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description =
          "The daemon's config, read for api.listen and api.token_file (default:"
              + " ${DEFAULT-VALUE}, if it exists). Errors outside its api block are only warned"
              + " about.",
      defaultValue = "/etc/flywall/flywall.hcl")
  Path config;

  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      description =
          "The file holding the API token (default: api.token_file of the config). Only commands"
              + " that change something read it.")
  Path tokenFile;

  @Option(names = "--json", description = "Print the API's JSON instead of a table.")
  boolean json;

  ApiClient client() {
    Optional<URI> explicit = Optional.ofNullable(api).map(ClientOptions::parseApiUrl);
    // With both given the config is not needed at all, not even for a warning.
    Optional<ApiConfig> apiConfig =
        explicit.isPresent() && tokenFile != null ? Optional.empty() : loadApiConfig();
    URI base =
        explicit.orElseGet(
            () ->
                apiConfig.map(c -> baseOf(c.listen())).orElse(URI.create("http://127.0.0.1:8080")));
    Path token =
        tokenFile != null
            ? tokenFile
            : apiConfig.map(ApiConfig::tokenFile).orElse(Path.of("/var/lib/flywall/api.token"));
    boolean tokenExplicit = tokenFile != null;
    // Read only by a command that changes something: GETs need no token.
    Supplier<Optional<String>> lazyToken = () -> readToken(token, tokenExplicit);
    return new ApiClient(base, lazyToken);
  }

  /** The --api value as a base URL, or a usage error that shows the expected form. */
  static URI parseApiUrl(String text) {
    URI uri;
    try {
      uri = new URI(text.strip());
    } catch (URISyntaxException e) {
      throw badUrl(text, "it is not a URL");
    }
    if (uri.getScheme() == null || uri.getHost() == null) {
      throw badUrl(text, "it has no scheme or host");
    }
    if (!uri.getScheme().equalsIgnoreCase("http")) {
      throw badUrl(text, "the API speaks plain HTTP, not " + uri.getScheme());
    }
    if (uri.getPort() < 0) {
      throw badUrl(text, "it has no port");
    }
    if (uri.getUserInfo() != null
        || uri.getQuery() != null
        || uri.getFragment() != null
        || !(uri.getPath() == null || uri.getPath().isEmpty() || uri.getPath().equals("/"))) {
      throw badUrl(text, "it must be only the base, without a path");
    }
    return URI.create("http://" + uri.getRawAuthority());
  }

  private static UserError badUrl(String text, String why) {
    return new UserError(
        "--api " + text + ": the API URL needs " + URL_FORM + " (" + why + ")", ExitCode.USAGE);
  }

  private Optional<ApiConfig> loadApiConfig() {
    boolean explicit = !config.equals(DEFAULT_CONFIG);
    if (!Files.exists(config)) {
      if (explicit) {
        throw new UserError("config file " + config + " does not exist", ExitCode.USAGE);
      }
      return Optional.empty();
    }
    ConfigLoader loader = ConfigLoader.withSystemHostname();
    try {
      return Optional.of(loader.load(config).config().api());
    } catch (ConfigException whole) {
      // A bad edit elsewhere must not leave the operator blind: the daemon still runs on the
      // config it loaded, and the api block says where.
      try {
        ApiConfig apiOnly = loader.loadApi(config);
        warn(
            "warning: "
                + config
                + " has errors ('flywall config check "
                + config
                + "' lists them; a restart or reload would refuse it); using its api block");
        return Optional.of(apiOnly);
      } catch (ConfigException apiBroken) {
        throw new UserError(
            "cannot find the daemon's API in "
                + config
                + ":\n"
                + apiBroken.getMessage()
                + "\nfix it, or give --api URL and --token-file FILE",
            ExitCode.USAGE);
      }
    }
  }

  private void warn(String message) {
    PrintWriter err =
        mixee == null ? new PrintWriter(System.err, true) : mixee.commandLine().getErr();
    err.println(LogLinePrefix.onStandardError("flywall: " + message, 4));
    err.flush();
  }

  private static Optional<String> readToken(Path file, boolean explicit) {
    if (!Files.isReadable(file)) {
      if (explicit) {
        throw new UserError(
            "cannot read token file " + file + "; run as the daemon's user (often root)",
            ExitCode.NOT_AUTHORIZED);
      }
      return Optional.empty();
    }
    try {
      return Optional.of(ApiToken.read(file).value());
    } catch (IOException e) {
      throw new UserError(e.getMessage(), ExitCode.NOT_AUTHORIZED);
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
}
