package io.exproto.auth.store;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Users and their passwords, managed by the host through this Java API. Passwords are never kept:
 * each is hashed with PBKDF2WithHmacSHA256 over a random 16-byte salt of its own, and checked by
 * hashing the candidate the same way and comparing in constant time. Passwords never appear in a
 * log line, an exception message or {@link #toString()}.
 *
 * <p>Hashing is deliberately slow (see {@link Builder#iterations(int)}); {@link #addUser} and
 * {@link #verify} run it on the calling thread. {@link UserStoreAuthenticator} moves it off the
 * gateway's threads.
 *
 * <p>Thread-safe: users may be added, updated and removed while clients authenticate.
 */
public final class UserStore {

  /** The default number of PBKDF2 iterations. */
  public static final int DEFAULT_ITERATIONS = 100_000;

  private static final Logger log = LoggerFactory.getLogger(UserStore.class);
  private static final String ALGORITHM = "PBKDF2WithHmacSHA256";
  private static final int SALT_BYTES = 16;
  private static final int HASH_BITS = 256;

  /** The outcome of {@link #verify(String, String)}. */
  public enum Verification {
    /** No user has that id. */
    UNKNOWN_USER,
    /** The password is the user's. */
    MATCH,
    /** The user exists but the password is not theirs. */
    MISMATCH
  }

  private final ConcurrentMap<String, Credential> users = new ConcurrentHashMap<>();
  private final int iterations;
  private final SecureRandom random;

  private UserStore(Builder builder) {
    this.iterations = builder.iterations;
    this.random = builder.random == null ? new SecureRandom() : builder.random;
  }

  /**
   * Creates an empty store with {@link #DEFAULT_ITERATIONS}.
   *
   * @return the store
   */
  public static UserStore create() {
    return builder().build();
  }

  /**
   * Starts a builder.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Adds a user who is not a superuser, or replaces the password of an existing one.
   *
   * @param userId the username (or client id, see {@link UserIdType}), not empty
   * @param password the password, not empty
   * @return true when the user is new, false when an existing user was replaced
   * @throws IllegalArgumentException when the user id or the password is empty
   */
  public boolean addUser(String userId, String password) {
    return addUser(userId, password, false);
  }

  /**
   * Adds a user, or replaces an existing one (password and superuser flag).
   *
   * @param userId the username (or client id, see {@link UserIdType}), not empty
   * @param password the password, not empty
   * @param superuser whether the user is a superuser (kept for the host; the gateway's
   *     authorization does not consult it)
   * @return true when the user is new, false when an existing user was replaced
   * @throws IllegalArgumentException when the user id or the password is empty
   */
  public boolean addUser(String userId, String password, boolean superuser) {
    requireUserId(userId);
    Credential credential = hash(password, superuser);
    boolean added = users.put(userId, credential) == null;
    log.debug("User store: {} user {}", added ? "added" : "replaced", userId);
    return added;
  }

  /**
   * Changes the password of an existing user, keeping the superuser flag.
   *
   * @param userId the user id
   * @param password the new password, not empty
   * @return whether the user existed
   * @throws IllegalArgumentException when the user id or the password is empty
   */
  public boolean updatePassword(String userId, String password) {
    requireUserId(userId);
    Credential current = users.get(userId);
    if (current == null) {
      return false;
    }
    Credential fresh = hash(password, current.superuser());
    boolean updated = users.computeIfPresent(userId, (id, old) -> fresh) != null;
    log.debug("User store: {} the password of user {}", updated ? "updated" : "could not update", userId);
    return updated;
  }

  /**
   * Removes a user.
   *
   * @param userId the user id
   * @return whether the user existed
   */
  public boolean removeUser(String userId) {
    boolean removed = userId != null && users.remove(userId) != null;
    if (removed) {
      log.debug("User store: removed user {}", userId);
    }
    return removed;
  }

  /**
   * Tells whether a user exists.
   *
   * @param userId the user id
   * @return whether the store has the user
   */
  public boolean contains(String userId) {
    return userId != null && users.containsKey(userId);
  }

  /**
   * Tells whether a user exists and is a superuser.
   *
   * @param userId the user id
   * @return whether the user is a superuser
   */
  public boolean isSuperuser(String userId) {
    Credential credential = userId == null ? null : users.get(userId);
    return credential != null && credential.superuser();
  }

  /**
   * Lists the user ids.
   *
   * @return a sorted snapshot
   */
  public Set<String> userIds() {
    return new TreeSet<>(users.keySet());
  }

  /**
   * Counts the users.
   *
   * @return the number of users
   */
  public int size() {
    return users.size();
  }

  /**
   * Checks a password. Hashes on the calling thread (slow by design).
   *
   * @param userId the user id
   * @param password the candidate password
   * @return whether the user is unknown, or the password matches or not
   */
  public Verification verify(String userId, String password) {
    Credential credential = userId == null ? null : users.get(userId);
    if (credential == null) {
      return Verification.UNKNOWN_USER;
    }
    if (password == null || password.isEmpty()) {
      return Verification.MISMATCH;
    }
    byte[] candidate = pbkdf2(password, credential.salt(), credential.iterations());
    return MessageDigest.isEqual(credential.hash(), candidate) ? Verification.MATCH : Verification.MISMATCH;
  }

  /**
   * Returns what is stored for a user, for tests that check no clear password is kept.
   *
   * @param userId the user id
   * @return the stored credential, or null
   */
  Credential credential(String userId) {
    return users.get(userId);
  }

  /**
   * Describes the store by size and iterations.
   *
   * @return the description
   */
  @Override
  public String toString() {
    return "UserStore[users=" + users.size() + ", iterations=" + iterations + "]";
  }

  private Credential hash(String password, boolean superuser) {
    if (password == null || password.isEmpty()) {
      throw new IllegalArgumentException("password must not be empty");
    }
    byte[] salt = new byte[SALT_BYTES];
    random.nextBytes(salt);
    return new Credential(salt, pbkdf2(password, salt, iterations), iterations, superuser);
  }

  private static byte[] pbkdf2(String password, byte[] salt, int iterations) {
    char[] chars = password.toCharArray();
    PBEKeySpec spec = new PBEKeySpec(chars, salt, iterations, HASH_BITS);
    try {
      return SecretKeyFactory.getInstance(ALGORITHM).generateSecret(spec).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(ALGORITHM + " is not available in this JDK", e);
    } finally {
      spec.clearPassword();
      Arrays.fill(chars, '\0');
    }
  }

  private static void requireUserId(String userId) {
    if (userId == null || userId.isEmpty()) {
      throw new IllegalArgumentException("userId must not be empty");
    }
  }

  /**
   * What the store keeps for one user: the salt, the PBKDF2 hash and the iterations it was made
   * with (so changing the store's iterations does not break existing users).
   */
  record Credential(byte[] salt, byte[] hash, int iterations, boolean superuser) {
    @Override
    public String toString() {
      return "Credential[iterations=" + iterations + ", superuser=" + superuser + "]";
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Credential c && Arrays.equals(salt, c.salt) && Arrays.equals(hash, c.hash)
          && iterations == c.iterations && superuser == c.superuser;
    }

    @Override
    public int hashCode() {
      return Objects.hash(Arrays.hashCode(salt), Arrays.hashCode(hash), iterations, superuser);
    }
  }

  /** Configures a {@link UserStore}. Not thread-safe. */
  public static final class Builder {
    private int iterations = DEFAULT_ITERATIONS;
    private SecureRandom random;

    private Builder() {}

    /**
     * Sets the PBKDF2 iterations for passwords added from now on. Default
     * {@link UserStore#DEFAULT_ITERATIONS}; more is slower for attackers and for every Authenticate. Values
     * below the default are meant for tests.
     *
     * @param iterations at least 1
     * @return this builder
     */
    public Builder iterations(int iterations) {
      if (iterations < 1) {
        throw new IllegalArgumentException("iterations must be at least 1, got " + iterations);
      }
      this.iterations = iterations;
      return this;
    }

    /**
     * Sets the source of salts. Default: a new {@link SecureRandom}.
     *
     * @param random the random source
     * @return this builder
     */
    public Builder random(SecureRandom random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * Builds an empty store.
     *
     * @return the store
     */
    public UserStore build() {
      return new UserStore(this);
    }
  }
}
