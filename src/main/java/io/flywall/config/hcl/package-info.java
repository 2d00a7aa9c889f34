/**
 * A strict parser for the HCL native syntax as config files use it: attributes, blocks, literal
 * values, lists, objects, comments and heredocs, with every syntax error reported as line and
 * column. Knows nothing of Flywall's schema and depends on nothing else here.
 */
package io.flywall.config.hcl;
