package io.flywall.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flywall.network.CommandResult;
import io.flywall.network.CommandRunner;
import io.flywall.network.MacAddress;
import io.flywall.network.ProcessCommandRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;

/**
 * A lab built by {@code scripts/netlab} for one test class: unique names per run (pid-based), removed
 * on close and, should the JVM die first, by a shutdown hook.
 */
public final class NetworkLab implements AutoCloseable {

    private static final AtomicInteger LABS = new AtomicInteger();
    private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final CommandRunner host = new ProcessCommandRunner();
    private final Path netlab;
    public final String prefix;
    private final Map<String, String> env = new LinkedHashMap<>();
    private final Thread cleanup;

    private NetworkLab(Path netlab, String prefix) {
        this.netlab = netlab;
        this.prefix = prefix;
        this.cleanup = new Thread(this::down, "netlab-down-" + prefix);
    }

    /** Skips the calling test (with the reason) when this machine cannot build a lab. */
    public static void assumeAvailable() {
        Assumptions.assumeTrue(new com.sun.security.auth.module.UnixSystem().getUid() == 0,
                "netns lab tests need root (ip netns); skipped");
        CommandResult netns = new ProcessCommandRunner().run(List.of("ip", "netns", "list"), Duration.ofSeconds(5));
        Assumptions.assumeTrue(netns.ok(), "netns lab tests need a working 'ip netns': " + netns.describe());
    }

    public static NetworkLab up(int nodes) {
        Path project = Path.of(System.getProperty("flywall.project.dir", System.getProperty("user.dir")));
        Path netlab = project.resolve("scripts/netlab");
        assertThat(Files.isExecutable(netlab)).as(netlab + " is executable").isTrue();
        // pid + counter: unique among concurrent test JVMs, and at most 7 chars of "fwt" + hex.
        String prefix = String.format("fwt%04x%x", ProcessHandle.current().pid() & 0xffff, LABS.incrementAndGet() & 0xf);
        NetworkLab lab = new NetworkLab(netlab, prefix);
        Runtime.getRuntime().addShutdownHook(lab.cleanup);
        CommandResult result = lab.host.run(List.of(netlab.toString(), "up", prefix, "--nodes", Integer.toString(nodes)),
                SCRIPT_TIMEOUT);
        if (!result.ok()) {
            lab.close();
            throw new IllegalStateException("cannot build the lab: " + result.describe());
        }
        result.stdout().lines().filter(line -> line.contains("=")).forEach(line -> {
            int eq = line.indexOf('=');
            lab.env.put(line.substring(0, eq), line.substring(eq + 1));
        });
        return lab;
    }

    public String get(String name) {
        String value = env.get(name);
        if (value == null) {
            throw new IllegalArgumentException("netlab env has no " + name + "; it has " + env.keySet());
        }
        return value;
    }

    /** Runs commands inside the namespace named by env variable {@code nsVariable}, e.g. NS_N1. */
    public CommandRunner in(String nsVariable) {
        return host.inNamespace(get(nsVariable));
    }

    /** The link-layer address the client's neighbour table has for {@code address}, if any. */
    public Optional<MacAddress> clientNeighbour(String address) {
        CommandResult result = in("NS_CLIENT").run(List.of("ip", "-j", "neigh", "show", address, "dev", get("CLIENT_IF")),
                Duration.ofSeconds(5));
        try {
            for (JsonNode entry : JSON.readTree(result.stdout().isBlank() ? "[]" : result.stdout())) {
                if (entry.hasNonNull("lladdr")) {
                    return Optional.of(MacAddress.of(entry.get("lladdr").asText()));
                }
            }
            return Optional.empty();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("bad ip neigh output: " + result.stdout(), e);
        }
    }

    /** The namespaces of this lab that still exist. */
    public List<String> namespacesLeft() {
        CommandResult result = host.run(List.of("ip", "netns", "list"), Duration.ofSeconds(5));
        return result.stdout().lines().map(line -> line.split(" ")[0])
                .filter(name -> name.startsWith(prefix + "-")).toList();
    }

    public void run(String nsVariable, String... argv) {
        CommandResult result = in(nsVariable).run(Arrays.asList(argv), Duration.ofSeconds(10));
        if (!result.ok()) {
            throw new IllegalStateException(result.describe());
        }
    }

    private void down() {
        host.run(List.of(netlab.toString(), "down", prefix), SCRIPT_TIMEOUT);
    }

    @Override
    public void close() {
        down();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException shuttingDown) {
            // The hook runs anyway; down is idempotent.
        }
    }
}
