package io.exproto.auth.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.exproto.auth.store.UserStore.Verification;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class UserStoreTest {

  private final UserStore store = UserStore.builder().iterations(1_000).build();

  @Test
  void addVerifyRemove() {
    assertThat(store.addUser("alice", "wonderland")).isTrue();
    assertThat(store.contains("alice")).isTrue();
    assertThat(store.verify("alice", "wonderland")).isEqualTo(Verification.MATCH);
    assertThat(store.verify("alice", "Wonderland")).isEqualTo(Verification.MISMATCH);
    assertThat(store.verify("alice", "")).isEqualTo(Verification.MISMATCH);
    assertThat(store.verify("bob", "wonderland")).isEqualTo(Verification.UNKNOWN_USER);
    assertThat(store.removeUser("alice")).isTrue();
    assertThat(store.removeUser("alice")).isFalse();
    assertThat(store.contains("alice")).isFalse();
    assertThat(store.verify("alice", "wonderland")).isEqualTo(Verification.UNKNOWN_USER);
  }

  @Test
  void addingAgainReplacesAndUpdateKeepsTheSuperuserFlag() {
    store.addUser("alice", "one", true);
    assertThat(store.isSuperuser("alice")).isTrue();
    assertThat(store.addUser("alice", "two", false)).isFalse();
    assertThat(store.isSuperuser("alice")).isFalse();
    assertThat(store.verify("alice", "one")).isEqualTo(Verification.MISMATCH);
    assertThat(store.verify("alice", "two")).isEqualTo(Verification.MATCH);

    store.addUser("root", "old", true);
    assertThat(store.updatePassword("root", "new")).isTrue();
    assertThat(store.verify("root", "new")).isEqualTo(Verification.MATCH);
    assertThat(store.isSuperuser("root")).isTrue();
    assertThat(store.updatePassword("nobody", "x")).isFalse();
    assertThat(store.userIds()).containsExactly("alice", "root");
    assertThat(store.size()).isEqualTo(2);
  }

  @Test
  void emptyIdsAndPasswordsAreRefused() {
    assertThatThrownBy(() -> store.addUser("", "x")).hasMessage("userId must not be empty");
    assertThatThrownBy(() -> store.addUser("a", "")).hasMessage("password must not be empty");
    assertThatThrownBy(() -> UserStore.builder().iterations(0)).hasMessageContaining("iterations");
  }

  @Test
  void theStoredFormHoldsNoClearPassword() throws Exception {
    String password = "clear-text-must-not-stay";
    store.addUser("alice", password);
    UserStore.Credential stored = store.credential("alice");
    byte[] clear = password.getBytes(StandardCharsets.UTF_8);
    for (RecordComponent component : UserStore.Credential.class.getRecordComponents()) {
      Object value = component.getAccessor().invoke(stored);
      assertThat(value).isNotInstanceOf(String.class).isNotInstanceOf(char[].class);
      if (value instanceof byte[] bytes) {
        assertThat(new String(bytes, StandardCharsets.ISO_8859_1)).doesNotContain(password);
        assertThat(bytes).isNotEqualTo(clear);
      }
    }
    assertThat(stored.salt()).hasSize(16);
    assertThat(stored.hash()).hasSize(32);
    assertThat(stored.iterations()).isEqualTo(1_000);
    assertThat(stored.toString()).doesNotContain(password);
    assertThat(store.toString()).doesNotContain(password);
  }

  @Test
  void theSamePasswordHashesDifferentlyForTwoUsers() {
    store.addUser("alice", "same");
    store.addUser("bob", "same");
    UserStore.Credential a = store.credential("alice");
    UserStore.Credential b = store.credential("bob");
    assertThat(a.salt()).isNotEqualTo(b.salt());
    assertThat(a.hash()).isNotEqualTo(b.hash());
  }

  @Test
  void usersKeepTheIterationsTheyWereHashedWith() {
    UserStore defaults = UserStore.create();
    defaults.addUser("alice", "pw");
    assertThat(defaults.credential("alice").iterations()).isEqualTo(UserStore.DEFAULT_ITERATIONS)
        .isGreaterThanOrEqualTo(100_000);
    assertThat(defaults.verify("alice", "pw")).isEqualTo(Verification.MATCH);
  }

  @Test
  void concurrentChangesAndChecksAreSafe() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<CompletableFuture<Void>> work = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        work.add(CompletableFuture.runAsync(() -> {
          for (int i = 0; i < 20; i++) {
            String user = "u" + thread + "-" + i;
            store.addUser(user, "pw" + i);
            assertThat(store.verify(user, "pw" + i)).isEqualTo(Verification.MATCH);
            if (i % 2 == 0) {
              store.removeUser(user);
            }
          }
        }, pool));
      }
      CompletableFuture.allOf(work.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
      assertThat(store.size()).isEqualTo(40);
    } finally {
      pool.shutdownNow();
    }
  }
}
