package io.flywall.failover;

/** Which of the two failover scripts a {@link Action.RunScript} runs. */
public enum ScriptPhase {
  PRE,
  POST
}
