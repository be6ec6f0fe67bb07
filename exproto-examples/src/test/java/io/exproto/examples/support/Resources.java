package io.exproto.examples.support;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What a test opened (gateways, handler services, clients, child processes), closed after each
 * test in reverse order, after the test's own {@code @AfterEach} methods. Register it as a
 * {@code @RegisterExtension} field.
 */
public final class Resources implements AfterEachCallback {

  private final List<AutoCloseable> resources = new ArrayList<>();

  /**
   * Closes the resource after the test, before everything tracked earlier.
   *
   * @param resource what to close
   * @param <T> its type
   * @return the resource
   */
  public <T extends AutoCloseable> T track(T resource) {
    resources.add(resource);
    return resource;
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    Exception first = null;
    for (int i = resources.size() - 1; i >= 0; i--) {
      try {
        resources.get(i).close();
      } catch (Exception e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    resources.clear();
    if (first != null) {
      throw first;
    }
  }
}
