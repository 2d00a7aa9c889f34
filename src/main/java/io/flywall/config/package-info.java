/**
 * The config file: HCL text in, a typed and fully validated {@link io.flywall.config.FlywallConfig}
 * out, or a {@link io.flywall.config.ConfigException} listing every problem as FILE:LINE:COL.
 * {@link io.flywall.config.ConfigSchema} is the single list of blocks and attributes; it depends
 * only on the JDK and its own {@code hcl} parser.
 */
package io.flywall.config;
