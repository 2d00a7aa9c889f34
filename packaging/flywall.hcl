# /etc/flywall/flywall.hcl: the config of this Flywall HA node.
#
# Nothing in this file is active as shipped, so installing the package starts no cluster.
# Uncomment the lines this node needs (lines starting with '#' and no space), edit them,
# check the result and only then start the daemon:
#
#   flywall config check /etc/flywall/flywall.hcl
#   systemctl enable --now flywall
#
# Every attribute, its default and its range: /usr/share/doc/flywall/config-reference.md
# More examples: /usr/share/doc/flywall/examples/. First install, adding and replacing a node,
# rotating the secret: /usr/share/doc/flywall/runbook.md
#
# This file holds the cluster's secret: keep it readable by root only (mode 0600).

#replication {
#  mode         = "replica"            # with ha enabled, the nodes negotiate the roles
#  node_id      = "fw1"                # default: the hostname; unique in the cluster
#  listen_addr  = "10.0.0.1:9001"      # replication (TCP), on the sync network
#  peer_addr    = "10.0.0.2:9002"      # the other node's heartbeat address (UDP 9002)
#  # Same on every node, 32 or more random characters, e.g. from: openssl rand -base64 32
#  secret_key   = "CHANGE-ME-to-the-output-of-openssl-rand-base64-32"
#
#  ha {
#    enabled  = true
#    priority = 50                     # lower is preferred; give the other node 100
#
#    failback_mode  = "auto"           # auto, manual or disabled
#    failback_delay = "30s"            # the preferred node must be healthy this long first
#
#    heartbeat_interval = "1s"
#    failure_threshold  = 3            # silent for 3 heartbeats: the peer is failed
#
#    monitor_links    = ["eth0", "eth1"]   # any link down: this node gives up the role
#    monitor_gateways = ["192.168.1.254"]  # none answers ping: this node gives up the role
#
#    virtual_ip {
#      address   = "192.168.1.1/24"    # the LAN clients' gateway
#      interface = "eth1"
#    }
#    virtual_ip {
#      address   = "203.0.113.10/24"
#      interface = "eth0"
#    }
#
#    # Connection-state sync (needs the conntrackd package) on a dedicated link:
#    # conntrack_sync {
#    #   enabled   = true
#    #   interface = "eth2"
#    # }
#
#    # Run on every role change with: EVENT OLD_ROLE NEW_ROLE EPOCH (owned by root, not
#    # group/world-writable; under systemd they may write only where the unit allows):
#    # pre_failover_script  = "/etc/flywall/pre-failover.sh"
#    # post_failover_script = "/etc/flywall/post-failover.sh"
#  }
#}
#
#api {
#  listen = "127.0.0.1:8080"           # the default; the client commands find it here
#}
