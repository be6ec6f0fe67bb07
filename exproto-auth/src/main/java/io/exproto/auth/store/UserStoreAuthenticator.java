package io.exproto.auth.store;

import io.exproto.auth.AuthRequest;
import io.exproto.auth.AuthResult;
import io.exproto.auth.Authenticator;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates clients against a {@link UserStore}, like EMQX's built-in database: a client whose
 * user id (its username, or its client id) is unknown gets IGNORE, so the next authenticator of the
 * chain decides; a known user with the right password gets ALLOW, with a wrong one DENY.
 *
 * <p>The slow password hashing runs on an executor, never on the calling thread. The returned
 * stage never completes exceptionally. Thread-safe.
 *
 * <pre>{@code
 * UserStore users = UserStore.create();
 * users.addUser("alice", "s3cret");
 * Gateway.builder().authenticator(UserStoreAuthenticator.builder(users).build());
 * }</pre>
 */
public final class UserStoreAuthenticator implements Authenticator {

  private static final Logger log = LoggerFactory.getLogger(UserStoreAuthenticator.class);

  private final UserStore store;
  private final UserIdType userIdType;
  private final Executor executor;

  private UserStoreAuthenticator(Builder builder) {
    this.store = builder.store;
    this.userIdType = builder.userIdType;
    this.executor = builder.executor;
  }

  /**
   * Starts a builder over a store: users keyed by username, hashing on the common fork-join pool.
   *
   * @param store the users, shared with the host (which keeps managing them)
   * @return a new builder
   */
  public static Builder builder(UserStore store) {
    return new Builder(store);
  }

  /**
   * Checks one client's password.
   *
   * @param request the client, its connection and password
   * @return ALLOW, DENY, or IGNORE for an unknown user or an internal failure
   */
  @Override
  public CompletionStage<AuthResult> authenticate(AuthRequest request) {
    String clientId = request.client().clientId();
    String userId = userIdType == UserIdType.USERNAME ? request.client().username() : clientId;
    if (userId.isEmpty() || !store.contains(userId)) {
      log.debug("User store: client {} has no user there ({}); ignoring", clientId, userIdType);
      return CompletableFuture.completedFuture(AuthResult.ignore());
    }
    String password = request.password();
    CompletableFuture<AuthResult> result;
    try {
      result = CompletableFuture.supplyAsync(() -> decide(clientId, userId, password), executor);
    } catch (RuntimeException e) { // a rejecting executor
      result = CompletableFuture.failedFuture(e);
    }
    return result.exceptionally(error -> {
      log.warn("User store: checking client {} failed ({}); ignoring", clientId, error.getClass().getSimpleName());
      return AuthResult.ignore();
    });
  }

  private AuthResult decide(String clientId, String userId, String password) {
    switch (store.verify(userId, password)) {
      case MATCH:
        log.debug("User store: client {} authenticated as user {}", clientId, userId);
        return AuthResult.allow();
      case MISMATCH:
        log.debug("User store: client {} gave a wrong password for user {}", clientId, userId);
        return AuthResult.deny("bad username or password");
      default:
        return AuthResult.ignore();
    }
  }

  /**
   * Describes the authenticator; never shows secrets.
   *
   * @return the description
   */
  @Override
  public String toString() {
    return "UserStoreAuthenticator[" + userIdType + ", " + store + "]";
  }

  /** Configures a {@link UserStoreAuthenticator}. Not thread-safe. */
  public static final class Builder {
    private final UserStore store;
    private UserIdType userIdType = UserIdType.USERNAME;
    private Executor executor = ForkJoinPool.commonPool();

    private Builder(UserStore store) {
      this.store = Objects.requireNonNull(store, "store");
    }

    /**
     * Sets which client field names the user. Default {@link UserIdType#USERNAME}.
     *
     * @param userIdType the field
     * @return this builder
     */
    public Builder userIdType(UserIdType userIdType) {
      this.userIdType = Objects.requireNonNull(userIdType, "user_id_type");
      return this;
    }

    /**
     * Sets where passwords are hashed. Default {@link ForkJoinPool#commonPool()}. The authenticator
     * does not own the executor and never shuts it down.
     *
     * @param executor the executor
     * @return this builder
     */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * Builds the authenticator.
     *
     * @return the authenticator
     */
    public UserStoreAuthenticator build() {
      return new UserStoreAuthenticator(this);
    }
  }
}
