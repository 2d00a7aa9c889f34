/**
 * The {@code flywall} command line (picocli): the daemon and witness entry points and the client
 * commands that talk to a running node's API. May depend on every other package.
 */
package io.flywall.cli;
