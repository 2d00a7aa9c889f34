/**
 * The cluster test suite on real processes ({@code scripts/chaos}): a nemesis drives random faults
 * from a seed against real daemons in the network lab, recorders write a history (roles, VIP
 * holders, client probes, acknowledged writes, processes), and pure checkers judge that history
 * after the run. Depends on the lab ({@code io.flywall.lab}) and nothing of the daemon's insides.
 */
package io.flywall.chaos;
