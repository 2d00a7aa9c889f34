package io.flywall.failover;

/** What a node is doing in the cluster; a witness votes but never competes. */
public enum Role {
  INIT,
  BACKUP,
  PRIMARY,
  FAULT,
  WITNESS
}
