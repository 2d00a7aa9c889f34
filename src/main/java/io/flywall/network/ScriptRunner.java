package io.flywall.network;

/** Runs a pre/post failover script; never throws, a failure is in the result. */
public interface ScriptRunner {

  ScriptResult run(ScriptInvocation invocation);
}
