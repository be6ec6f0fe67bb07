package io.exproto.auth.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.exproto.adapter.ClientInfo;
import io.exproto.auth.AuthRequest;
import io.exproto.auth.AuthResult;
import io.exproto.auth.AuthResult.Decision;
import io.exproto.listener.Address;
import io.exproto.listener.ConnectionInfo;
import io.exproto.listener.SocketType;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class UserStoreAuthenticatorTest {

  private final UserStore store = UserStore.builder().iterations(1_000).build();

  static AuthRequest request(String clientId, String username, String password) {
    ConnectionInfo connection = ConnectionInfo.of(SocketType.TCP, new Address("127.0.0.1", 50000),
        new Address("127.0.0.1", 7993), "tcp:default");
    return new AuthRequest(connection, ClientInfo.of(clientId, username), password);
  }

  static AuthResult answer(UserStoreAuthenticator auth, AuthRequest request) throws Exception {
    return auth.authenticate(request).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void byUsername() throws Exception {
    store.addUser("alice", "wonderland");
    UserStoreAuthenticator auth = UserStoreAuthenticator.builder(store).build();
    assertThat(answer(auth, request("c1", "alice", "wonderland"))).isEqualTo(AuthResult.allow());
    AuthResult wrong = answer(auth, request("c1", "alice", "nope"));
    assertThat(wrong.decision()).isEqualTo(Decision.DENY);
    assertThat(wrong.reason()).isEqualTo("bad username or password");
    assertThat(answer(auth, request("c1", "bob", "wonderland"))).isEqualTo(AuthResult.ignore());
    assertThat(answer(auth, request("alice", "", "wonderland"))).isEqualTo(AuthResult.ignore());
    store.removeUser("alice");
    assertThat(answer(auth, request("c1", "alice", "wonderland"))).isEqualTo(AuthResult.ignore());
  }

  @Test
  void byClientId() throws Exception {
    store.addUser("device-7", "pw");
    UserStoreAuthenticator auth = UserStoreAuthenticator.builder(store).userIdType(UserIdType.CLIENTID).build();
    assertThat(answer(auth, request("device-7", "someone", "pw"))).isEqualTo(AuthResult.allow());
    assertThat(answer(auth, request("device-7", "", "bad")).decision()).isEqualTo(Decision.DENY);
    assertThat(answer(auth, request("other", "device-7", "pw"))).isEqualTo(AuthResult.ignore());
  }

  @Test
  void hashingRunsOnTheGivenExecutor() throws Exception {
    store.addUser("alice", "pw");
    ExecutorService pool = Executors.newSingleThreadExecutor();
    AtomicInteger submitted = new AtomicInteger();
    try {
      UserStoreAuthenticator auth = UserStoreAuthenticator.builder(store)
          .executor(task -> {
            submitted.incrementAndGet();
            pool.execute(task);
          }).build();
      assertThat(answer(auth, request("c1", "alice", "pw"))).isEqualTo(AuthResult.allow());
      assertThat(submitted).hasValue(1);
      assertThat(answer(auth, request("c1", "nobody", "pw"))).isEqualTo(AuthResult.ignore());
      assertThat(submitted).as("unknown users need no hashing").hasValue(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aRejectingExecutorIsIgnoreNotAnException() throws Exception {
    store.addUser("alice", "pw");
    UserStoreAuthenticator auth = UserStoreAuthenticator.builder(store)
        .executor(task -> {
          throw new RejectedExecutionException("full");
        }).build();
    CompletableFuture<AuthResult> result = auth.authenticate(request("c1", "alice", "pw")).toCompletableFuture();
    assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo(AuthResult.ignore());
  }

  @Test
  void toStringHasNoSecrets() {
    store.addUser("alice", "wonderland");
    assertThat(UserStoreAuthenticator.builder(store).build().toString())
        .isEqualTo("UserStoreAuthenticator[USERNAME, UserStore[users=1, iterations=1000]]");
  }
}
