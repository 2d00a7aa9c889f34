package io.flywall.network.kernel;

import com.sun.jna.LastErrorException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;

/**
 * The real libc with a switchable fault: while a rule is set, a call it matches fails with the
 * errno it returns (e.g. EPERM for packet sockets, as without CAP_NET_RAW).
 */
final class FaultyLibc {

  /** Given the method name and arguments, the errno to fail with, or 0 to pass the call on. */
  private final AtomicReference<BiFunction<String, Object[], Integer>> rule =
      new AtomicReference<>((name, args) -> 0);

  private final Libc libc;

  FaultyLibc() {
    Libc real = Libc.load();
    this.libc =
        (Libc)
            Proxy.newProxyInstance(
                Libc.class.getClassLoader(),
                new Class<?>[] {Libc.class},
                (proxy, method, args) -> call(real, method, args));
  }

  Libc libc() {
    return libc;
  }

  void failWhen(BiFunction<String, Object[], Integer> rule) {
    this.rule.set(rule);
  }

  void heal() {
    rule.set((name, args) -> 0);
  }

  private Object call(Libc real, Method method, Object[] args) throws Throwable {
    if (method.getDeclaringClass() == Object.class) {
      return method.invoke(real, args);
    }
    int errno = rule.get().apply(method.getName(), args);
    if (errno != 0) {
      throw new LastErrorException(errno);
    }
    try {
      return method.invoke(real, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
