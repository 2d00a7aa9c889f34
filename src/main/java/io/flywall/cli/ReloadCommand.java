package io.flywall.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code flywall reload}: the running daemon re-reads its config file, as on SIGHUP. */
@Command(
    name = "reload",
    mixinStandardHelpOptions = true,
    description = {
      "Make the running daemon re-read its config file, as SIGHUP does.",
      "Priority, failback settings, VIPs added or removed, monitors and scripts take effect"
          + " without a restart (systemctl reload flywall does the same); the role is kept and"
          + " traffic keeps flowing.",
      "A config that does not pass 'flywall config check' is refused with its errors, and so is"
          + " one that changes anything that needs a restart (node_id, ports, addresses, secret,"
          + " state_dir, the api block, ...), which the answer names. Refused, the daemon keeps"
          + " running on the config it has (exit 6). The history records a 'reload' event."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  flywall config check /etc/flywall/flywall.hcl && flywall reload",
      "  flywall ha history --limit 1"
    })
final class ReloadCommand extends HaCommand.ClientCommand {
  @Override
  public Integer call() {
    JsonNode r = options.client().post("/api/ha/reload", Map.of());
    return print(r, r.path("message").asText("reloaded") + "\n");
  }
}
