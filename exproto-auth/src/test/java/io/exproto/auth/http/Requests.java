package io.exproto.auth.http;

import io.exproto.adapter.ClientInfo;
import io.exproto.auth.AuthRequest;
import io.exproto.auth.AuthResult;
import io.exproto.auth.Authenticator;
import io.exproto.listener.Address;
import io.exproto.listener.ConnectionInfo;
import io.exproto.listener.SocketType;
import java.util.concurrent.TimeUnit;

/** Builds authentication requests and waits for answers, for tests. */
final class Requests {

  private Requests() {}

  static AuthRequest request(String clientId, String username, String password) {
    ConnectionInfo connection = ConnectionInfo.of(SocketType.TCP, new Address("10.1.2.3", 50000),
        new Address("127.0.0.1", 7993), "tcp:default");
    return new AuthRequest(connection, ClientInfo.of(clientId, username), password);
  }

  static AuthResult answer(Authenticator authenticator, AuthRequest request) throws Exception {
    return authenticator.authenticate(request).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
