/**
 * The composition root: builds one node (or a witness) from its config, runs the controller's event
 * loop, and carries out the controller's actions in order through small ports. The only package
 * that knows every other one.
 */
package io.flywall.node;
