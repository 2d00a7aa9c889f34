package io.flywall.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.Optional;

/**
 * The log's setup, in code rather than logback.xml: reading an XML file costs logback a SAX parser
 * and its Joran machinery, over a second of a busy machine's start before the first heartbeat
 * (DESIGN 10.2). Lines go to standard output as {@code %linePrefix%-5level [%logger{0}] %msg%n}
 * (the time, or the syslog priority for journald: {@link LogLinePrefix}); the root level comes from
 * {@code FLYWALL_LOG_LEVEL} (default INFO); Jetty and Javalin log warnings only. A file named with
 * {@code -Dlogback.configurationFile} replaces all of this. Found by logback through
 * META-INF/services.
 */
public final class LogSetup extends ContextAwareBase implements Configurator {
  static final String PATTERN = "%linePrefix%-5level [%logger{0}] %msg%n";

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (System.getProperty(ContextInitializer.CONFIG_FILE_PROPERTY) != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    PatternLayout layout = new PatternLayout();
    layout.setContext(context);
    layout.getInstanceConverterMap().put("linePrefix", LogLinePrefix::new);
    layout.setPattern(PATTERN);
    layout.start();
    LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
    encoder.setContext(context);
    encoder.setLayout(layout);
    encoder.start();
    ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
    appender.setContext(context);
    appender.setName("STDOUT");
    appender.setEncoder(encoder);
    appender.start();
    ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(rootLevel(setting("FLYWALL_LOG_LEVEL")));
    root.addAppender(appender);
    context.getLogger("org.eclipse.jetty").setLevel(Level.WARN);
    context.getLogger("io.javalin").setLevel(Level.WARN);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /**
   * As the former logback.xml's {@code ${FLYWALL_LOG_LEVEL:-INFO}} read it: a system property, else
   * env.
   */
  private static Optional<String> setting(String name) {
    return Optional.ofNullable(System.getProperty(name))
        .or(() -> Optional.ofNullable(System.getenv(name)));
  }

  /** An unknown level name is INFO, as logback's own parsing has it. */
  static Level rootLevel(Optional<String> configured) {
    return configured.map(name -> Level.toLevel(name.trim(), Level.INFO)).orElse(Level.INFO);
  }
}
