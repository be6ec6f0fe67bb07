package io.exproto.examples.gateway;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads the standalone gateway's configuration file on SIGHUP, through {@code sun.misc.Signal}
 * (module {@code jdk.unsupported}). It is reached by reflection, so the build has no warning about
 * an internal API and a JVM without it, or without SIGHUP (Windows, {@code -Xrs}), only loses the
 * reload.
 */
final class Hangup {

  private static final Logger log = LoggerFactory.getLogger(Hangup.class);

  private Hangup() {}

  /**
   * Installs the SIGHUP handler: each signal reloads {@code file} into {@code gateway}. A bad file
   * is logged and changes nothing.
   *
   * @param gateway the running gateway
   * @param file the configuration file
   * @return whether the handler is installed
   */
  static boolean reloadOnHangup(StandaloneGateway gateway, Path file) {
    try {
      Class<?> signalType = Class.forName("sun.misc.Signal");
      Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
      Object hangup = signalType.getConstructor(String.class).newInstance("HUP");
      Object handler = Proxy.newProxyInstance(Hangup.class.getClassLoader(), new Class<?>[] {handlerType},
          (proxy, method, args) -> handle(proxy, method, args, gateway, file));
      signalType.getMethod("handle", signalType, handlerType).invoke(null, hangup, handler);
      log.info("SIGHUP reloads the listeners of {}", file);
      return true;
    } catch (InvocationTargetException e) {
      // Signal's constructor or handle() refused: no SIGHUP in this JVM.
      log.warn("SIGHUP is not available in this JVM ({}); restart the gateway to apply changes to {}",
          e.getCause(), file);
      return false;
    } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
      log.warn("SIGHUP is not available in this JVM ({}); restart the gateway to apply changes to {}", e, file);
      return false;
    }
  }

  /** The proxy's methods: {@code handle(Signal)} reloads; Object's methods behave as for any object. */
  private static Object handle(Object proxy, Method method, Object[] args, StandaloneGateway gateway, Path file) {
    switch (method.getName()) {
      case "handle":
        reload(gateway, file);
        return null;
      case "equals":
        return proxy == args[0];
      case "hashCode":
        return System.identityHashCode(proxy);
      case "toString":
        return "reload " + file + " on SIGHUP";
      default:
        return null;
    }
  }

  private static void reload(StandaloneGateway gateway, Path file) {
    log.info("SIGHUP: reloading {}", file);
    try {
      gateway.reload(file);
    } catch (ConfigFileException e) {
      // The message names the key and line, never a secret value.
      log.error("Reload refused, nothing changed: {}", e.getMessage());
    } catch (IllegalStateException e) {
      log.warn("Reload ignored: {}", e.getMessage());
    } catch (RuntimeException e) {
      log.error("Reload failed", e);
    }
  }
}
