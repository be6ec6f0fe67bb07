package io.exproto.grpc.internal;

import com.google.protobuf.UnsafeByteOperations;
import io.exproto.adapter.Result;
import io.exproto.grpc.proto.Address;
import io.exproto.grpc.proto.CertificateInfo;
import io.exproto.grpc.proto.CodeResponse;
import io.exproto.grpc.proto.ConnInfo;
import io.exproto.grpc.proto.Message;
import io.exproto.grpc.proto.ResultCode;
import io.exproto.grpc.proto.SocketType;
import io.exproto.grpc.proto.TimerType;
import io.exproto.listener.ConnectionInfo;

/**
 * Converts between the core's value objects and the ExProto protobuf messages. The enums map by
 * their wire numbers, which the core declares for exactly this purpose.
 *
 * <p>Byte arrays are wrapped, not copied: the core's arrays (received bytes, message payloads) are
 * never changed after they are handed over, so sharing them is safe.
 *
 * <p>Internal: not part of the public API.
 */
public final class ProtoConversions {

  private ProtoConversions() {}

  /**
   * Converts an adapter result to the wire response.
   *
   * @param result the result, not null
   * @return the response with the same code and message
   */
  public static CodeResponse toProto(Result result) {
    return CodeResponse.newBuilder()
        .setCodeValue(result.code().number())
        .setMessage(result.message())
        .build();
  }

  /**
   * Converts a wire response to an adapter result. A code this version does not know becomes
   * {@link io.exproto.adapter.ResultCode#UNKNOWN}, with the number in the message.
   *
   * @param response the response, not null
   * @return the result
   */
  public static Result toCore(CodeResponse response) {
    io.exproto.adapter.ResultCode code = toCore(response.getCodeValue());
    if (code == null) {
      return Result.of(io.exproto.adapter.ResultCode.UNKNOWN,
          "unrecognized result code " + response.getCodeValue()
              + (response.getMessage().isEmpty() ? "" : ": " + response.getMessage()));
    }
    return new Result(code, response.getMessage());
  }

  /**
   * Finds the core result code with a wire number.
   *
   * @param number the wire number of an ExProto {@code ResultCode}
   * @return the code, or null when no code has that number
   */
  public static io.exproto.adapter.ResultCode toCore(int number) {
    for (io.exproto.adapter.ResultCode code : io.exproto.adapter.ResultCode.values()) {
      if (code.number() == number) {
        return code;
      }
    }
    return null;
  }

  /**
   * Finds the wire result code of a core result code.
   *
   * @param code the core code, not null
   * @return the wire code
   */
  public static ResultCode toProto(io.exproto.adapter.ResultCode code) {
    return ResultCode.forNumber(code.number());
  }

  /**
   * Converts a wire timer type to the core's.
   *
   * @param type the wire type, not null
   * @return the core type, or null for a value this version does not know
   */
  public static io.exproto.adapter.TimerType toCore(TimerType type) {
    for (io.exproto.adapter.TimerType candidate : io.exproto.adapter.TimerType.values()) {
      if (type != TimerType.UNRECOGNIZED && candidate.number() == type.getNumber()) {
        return candidate;
      }
    }
    return null;
  }

  /**
   * Converts a core timer type to the wire's.
   *
   * @param type the core type, not null
   * @return the wire type
   */
  public static TimerType toProto(io.exproto.adapter.TimerType type) {
    return TimerType.forNumber(type.number());
  }

  /**
   * Converts a connection's identity to the wire's {@code ConnInfo}; {@code peercert} is set only
   * when the device presented a certificate.
   *
   * @param info the connection information, not null
   * @return the wire connection information
   */
  public static ConnInfo toProto(ConnectionInfo info) {
    ConnInfo.Builder builder = ConnInfo.newBuilder()
        .setSocktype(SocketType.forNumber(info.socketType().number()))
        .setPeername(toProto(info.peer()))
        .setSockname(toProto(info.local()));
    info.peerCertificate().ifPresent(cert -> builder.setPeercert(
        CertificateInfo.newBuilder().setCn(cert.cn()).setDn(cert.dn())));
    return builder.build();
  }

  private static Address toProto(io.exproto.listener.Address address) {
    return Address.newBuilder().setHost(address.host()).setPort(address.port()).build();
  }

  /**
   * Converts a delivered message to the wire's; its payload array is shared, not copied.
   *
   * @param node the gateway's node name
   * @param message the message, not null
   * @return the wire message
   */
  public static Message toProto(String node, io.exproto.broker.Message message) {
    return Message.newBuilder()
        .setNode(node)
        .setId(message.id())
        .setQos(message.qos())
        .setFrom(message.from())
        .setTopic(message.topic())
        .setPayload(UnsafeByteOperations.unsafeWrap(message.payload()))
        .setTimestamp(message.timestamp())
        .build();
  }
}
