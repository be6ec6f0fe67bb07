package io.exproto.transport.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test when Netty reports a leaked buffer. Installs a leak detector factory that records
 * reports instead of only logging them; register it with {@code @ExtendWith(NettyLeakCheck.class)}
 * on every test class of this module, so the factory is in place before the first buffer class
 * loads. After each test it collects garbage and allocates a few buffers, which makes the detector
 * (at the paranoid level surefire sets) report any buffer that was dropped without a release.
 * Best effort: a leak is only seen once the garbage collector has found the lost buffer.
 */
public final class NettyLeakCheck implements AfterEachCallback {

  private static final List<String> LEAKS = new ArrayList<>();

  static {
    ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new ResourceLeakDetectorFactory() {
      @Override
      public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval) {
        return new RecordingDetector<>(resource, samplingInterval);
      }

      @Override
      @SuppressWarnings("deprecation")
      public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
          long maxActive) {
        return newResourceLeakDetector(resource, samplingInterval);
      }
    });
  }

  /** Creates the extension; JUnit calls this. */
  public NettyLeakCheck() {}

  @Override
  public void afterEach(ExtensionContext context) throws ReflectiveOperationException {
    assertThat(bufferLeakDetector())
        .as("Netty's buffer leak detector was created before NettyLeakCheck installed its factory;"
            + " register the extension on every test class")
        .isInstanceOf(RecordingDetector.class);
    provokeReports();
    List<String> found = takeLeaks();
    assertThat(found).as("leaked Netty buffers").isEmpty();
  }

  private static Object bufferLeakDetector() throws ReflectiveOperationException {
    Field field = Class.forName("io.netty.buffer.AbstractByteBuf").getDeclaredField("leakDetector");
    field.setAccessible(true);
    return field.get(null);
  }

  /** Collects garbage and allocates, so lost buffers are reported now. */
  static void provokeReports() {
    System.gc();
    for (int i = 0; i < 8; i++) {
      ByteBuf probe = ByteBufAllocator.DEFAULT.directBuffer(16);
      probe.release();
    }
  }

  /** Returns and forgets the leaks reported so far. */
  static List<String> takeLeaks() {
    synchronized (LEAKS) {
      List<String> copy = new ArrayList<>(LEAKS);
      LEAKS.clear();
      return copy;
    }
  }

  private static final class RecordingDetector<T> extends ResourceLeakDetector<T> {
    RecordingDetector(Class<T> resource, int samplingInterval) {
      super(resource, samplingInterval);
    }

    @Override
    protected boolean needReport() {
      return true;
    }

    @Override
    protected void reportTracedLeak(String resourceType, String records) {
      record("LEAK: " + resourceType + records);
    }

    @Override
    protected void reportUntracedLeak(String resourceType) {
      record("LEAK: " + resourceType + " (no records)");
    }

    private static void record(String leak) {
      synchronized (LEAKS) {
        LEAKS.add(leak);
      }
    }
  }
}
