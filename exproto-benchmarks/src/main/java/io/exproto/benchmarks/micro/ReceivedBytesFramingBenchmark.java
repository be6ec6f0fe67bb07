package io.exproto.benchmarks.micro;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.exproto.grpc.proto.ReceivedBytesRequest;
import io.grpc.MethodDescriptor;
import io.grpc.protobuf.ProtoUtils;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Framing of {@code ReceivedBytesRequest}, the message of every {@code OnReceivedBytes} call to a
 * remote handler, at 16 B, 1 KB and 64 KB of device bytes.
 *
 * <ul>
 *   <li>{@link #wrapAndMarshal}: what the gateway does per event: build the request around the
 *       device's array without copying it ({@code UnsafeByteOperations.unsafeWrap}, as the remote
 *       handler client does) and serialize it through grpc-java's protobuf marshaller into the
 *       transport's stream.</li>
 *   <li>{@link #copyAndMarshal}: the same with {@code ByteString.copyFrom}, to show what the
 *       zero-copy wrap saves.</li>
 *   <li>{@link #parseAndCopyOut}: the handler side: parse the request and take the bytes out as an
 *       array, as the Java SDK's {@code HandlerService} does.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ReceivedBytesFramingBenchmark {

  private static final String CONN = "q2VHyC0bOQ9kYoJjAAAAAAAAAAE"; // 27 characters, as the gateway's ids

  /** Device bytes per event. */
  @Param({"16", "1024", "65536"})
  public int size;

  private final MethodDescriptor.Marshaller<ReceivedBytesRequest> marshaller =
      ProtoUtils.marshaller(ReceivedBytesRequest.getDefaultInstance());
  private final CountingSink sink = new CountingSink();
  private byte[] bytes;
  private byte[] serialized;

  /** Creates the benchmark; JMH calls {@link #setUp} before measuring. */
  public ReceivedBytesFramingBenchmark() {}

  /** Prepares the device bytes and one serialized request. */
  @Setup
  public void setUp() {
    bytes = new byte[size];
    for (int i = 0; i < size; i++) {
      bytes[i] = (byte) i;
    }
    serialized = ReceivedBytesRequest.newBuilder().setConn(CONN).setBytes(ByteString.copyFrom(bytes)).build()
        .toByteArray();
  }

  /**
   * Builds the request around the device's array and marshals it.
   *
   * @return the number of bytes written
   * @throws IOException never (the sink does not fail)
   */
  @Benchmark
  public long wrapAndMarshal() throws IOException {
    ReceivedBytesRequest request = ReceivedBytesRequest.newBuilder()
        .setConn(CONN)
        .setBytes(UnsafeByteOperations.unsafeWrap(bytes))
        .build();
    return drain(marshaller.stream(request));
  }

  /**
   * Builds the request with a copy of the device's bytes and marshals it.
   *
   * @return the number of bytes written
   * @throws IOException never
   */
  @Benchmark
  public long copyAndMarshal() throws IOException {
    ReceivedBytesRequest request = ReceivedBytesRequest.newBuilder()
        .setConn(CONN)
        .setBytes(ByteString.copyFrom(bytes))
        .build();
    return drain(marshaller.stream(request));
  }

  /**
   * Parses a serialized request and copies its bytes out, as the handler SDK does.
   *
   * @return the bytes
   * @throws IOException when the request does not parse
   */
  @Benchmark
  public byte[] parseAndCopyOut() throws IOException {
    ReceivedBytesRequest request = ReceivedBytesRequest.parseFrom(serialized);
    return request.getBytes().toByteArray();
  }

  private long drain(InputStream stream) throws IOException {
    sink.count = 0;
    stream.transferTo(sink);
    return sink.count;
  }

  /** Counts what is written to it; grpc-java's stream writes itself into it in one go. */
  private static final class CountingSink extends OutputStream {
    long count;

    @Override
    public void write(int b) {
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      count += len;
    }
  }
}
