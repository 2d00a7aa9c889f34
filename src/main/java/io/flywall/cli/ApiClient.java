package io.flywall.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * Talks to a running node's API for the client commands; every failure is a one-line {@link
 * UserError}.
 */
final class ApiClient {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI base;
  private final Supplier<Optional<String>> token;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

  /**
   * @param token read only when a request changes something: GETs need none
   */
  ApiClient(URI base, Supplier<Optional<String>> token) {
    this.base = base;
    this.token = token;
  }

  URI base() {
    return base;
  }

  JsonNode get(String path) {
    return send(
        HttpRequest.newBuilder(base.resolve(path)).GET().timeout(Duration.ofSeconds(10)).build());
  }

  JsonNode post(String path, Object body) {
    return mutate("POST", path, body);
  }

  JsonNode put(String path, Object body) {
    return mutate("PUT", path, body);
  }

  JsonNode delete(String path) {
    return mutate("DELETE", path, null);
  }

  private JsonNode mutate(String method, String path, Object body) {
    String bearer =
        token
            .get()
            .orElseThrow(
                () ->
                    new UserError(
                        "no API token: this command changes the cluster and needs the daemon's"
                            + " token file; run it as root, or pass --token-file or --config"
                            + " pointing at the daemon's config",
                        ExitCode.NOT_AUTHORIZED));
    String json;
    try {
      json = body == null ? "" : JSON.writeValueAsString(body);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return send(
        HttpRequest.newBuilder(base.resolve(path))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + bearer)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(json))
            .build());
  }

  /**
   * Streams server-sent events to {@code onEvent(type, data)} until the server or the user ends it.
   */
  void stream(String path, BiConsumer<String, JsonNode> onEvent) {
    HttpRequest request =
        HttpRequest.newBuilder(base.resolve(path))
            .header("Accept", "text/event-stream")
            .GET()
            .build();
    HttpResponse<InputStream> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw unreachable(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    if (response.statusCode() != 200) {
      throw new UserError(
          "the daemon answered " + response.statusCode() + " to " + path,
          ExitCode.ofHttpStatus(response.statusCode()));
    }
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      String type = "message";
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.startsWith("event:")) {
          type = line.substring(6).trim();
        } else if (line.startsWith("data:")) {
          onEvent.accept(type, JSON.readTree(line.substring(5).trim()));
        } else if (line.isEmpty()) {
          type = "message";
        }
      }
    } catch (IOException e) {
      throw new UserError("the monitor stream from " + base + " ended: " + e.getMessage());
    }
  }

  private JsonNode send(HttpRequest request) {
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw unreachable(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UserError("interrupted");
    }
    JsonNode body;
    try {
      body = response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
    } catch (IOException e) {
      throw new UserError(
          "the daemon at "
              + base
              + " answered "
              + response.statusCode()
              + " with something that is not JSON");
    }
    if (response.statusCode() >= 400) {
      String message = body.path("error").asText("HTTP " + response.statusCode());
      throw new Refused(response.statusCode(), message);
    }
    return body;
  }

  /** The daemon answered with an error: its status and message. */
  static final class Refused extends UserError {
    private final int status;
    private final String error;

    Refused(int status, String error) {
      super(error + " (HTTP " + status + ")", ExitCode.ofHttpStatus(status));
      this.status = status;
      this.error = error;
    }

    int status() {
      return status;
    }

    /** The daemon's message without the status. */
    String error() {
      return error;
    }
  }

  private UserError unreachable(IOException e) {
    String why =
        e instanceof ConnectException || e instanceof HttpConnectTimeoutException
            ? "connection refused or timed out"
            : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return new UserError(
        "cannot reach the daemon's API at "
            + base
            + " ("
            + why
            + "); is 'flywall run' running? Use --api URL or --config FILE to point elsewhere.",
        ExitCode.UNREACHABLE);
  }
}
