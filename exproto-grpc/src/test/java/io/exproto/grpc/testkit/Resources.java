package io.exproto.grpc.testkit;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What a test opened (servers, clients, gateways, handlers), closed after each test in reverse
 * order, after the test's own {@code @AfterEach} methods. Register it as a
 * {@code @RegisterExtension} field.
 */
public final class Resources implements AfterEachCallback {

  private final List<AutoCloseable> resources = new ArrayList<>();

  /**
   * Closes the resource after the test.
   *
   * @param resource what to close
   * @param <T> its type
   * @return the resource
   */
  public <T extends AutoCloseable> T track(T resource) {
    resources.add(resource);
    return resource;
  }

  /**
   * Closes the resource after the test, after everything tracked so far or later.
   *
   * @param resource what to close
   * @param <T> its type
   * @return the resource
   */
  public <T extends AutoCloseable> T trackToCloseLast(T resource) {
    resources.add(0, resource);
    return resource;
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    try {
      for (int i = resources.size() - 1; i >= 0; i--) {
        resources.get(i).close();
      }
    } finally {
      resources.clear();
    }
  }
}
