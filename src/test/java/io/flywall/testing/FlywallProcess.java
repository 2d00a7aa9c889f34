package io.flywall.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A real {@code flywall} process started from the packaged jar, with its log in a file and a small
 * HTTP client for its API. Tests run it, kill it and ask it questions like an operator.
 */
public final class FlywallProcess implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final String name;
  private final List<String> args;
  private final Path log;
  private final URI api;
  private final List<String> prefix;
  private Process process;

  public FlywallProcess(String name, Path log, URI api, List<String> prefix, String... args) {
    this.name = name;
    this.log = log;
    this.api = api;
    this.prefix = List.copyOf(prefix);
    this.args = List.of(args);
  }

  public static Path jar() {
    Path jar = Path.of(System.getProperty("flywall.jar", "target/flywall.jar"));
    if (!Files.exists(jar)) {
      throw new IllegalStateException(
          jar + " is missing: integration tests run after 'mvn package'");
    }
    return jar;
  }

  /** The java command line for this JVM's java and the packaged jar. */
  public static List<String> javaCommand() {
    return List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx128m",
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        "-jar",
        jar().toString());
  }

  public FlywallProcess start() throws IOException {
    List<String> command = new ArrayList<>(prefix);
    command.addAll(javaCommand());
    command.addAll(args);
    process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    return this;
  }

  public String name() {
    return name;
  }

  public boolean alive() {
    return process != null && process.isAlive();
  }

  public long pid() {
    return process.pid();
  }

  /** The exit status of a process that has ended. */
  public int exitValue() {
    return process.exitValue();
  }

  /** Power off: SIGKILL, no chance to hand over or clean up. */
  public void kill() throws InterruptedException {
    if (process != null) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      process.waitFor();
    }
  }

  /** A clean stop: SIGTERM, as systemd would. */
  public void stop() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(
          java.time.Duration.ofSeconds(20).toMillis(),
          java.util.concurrent.TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
      }
    }
  }

  /** GET an API path; empty when the node does not answer (not started yet, or dead). */
  public Optional<JsonNode> get(String path) {
    try {
      HttpResponse<String> response =
          HTTP.send(
              HttpRequest.newBuilder(api.resolve(path))
                  .timeout(Duration.ofSeconds(3))
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200
          ? Optional.of(JSON.readTree(response.body()))
          : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  public Optional<String> role() {
    return get("/api/ha/status").map(s -> s.path("role").asText());
  }

  public String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(log);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() throws InterruptedException {
    kill();
  }
}
