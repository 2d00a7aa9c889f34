package io.flywall.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DESIGN 10.2 (first heartbeat soon after start): a restart reads the keys cached in the state
 * directory instead of running Argon2id, and any doubt about the cache (another secret, other
 * parameters, a damaged file, a file or directory others could reach) derives them anew.
 */
class KeyCacheTest {
  private static final String SECRET = "key-cache-test-secret-0123456789abcdef";

  @TempDir Path parent;
  private Path stateDir;
  private int uid;
  private final AtomicInteger stretches = new AtomicInteger();

  /** A fast stand-in for Argon2id that counts its runs. */
  private byte[] countingStretch(byte[] secret) {
    stretches.incrementAndGet();
    try {
      return MessageDigest.getInstance("SHA-256").digest(secret);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @BeforeEach
  void privateStateDirectory() throws Exception {
    stateDir = parent.resolve("state");
    Files.createDirectory(stateDir, PosixFilePermissions.asFileAttribute(KeyCacheMode.DIRECTORY));
    uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
  }

  private KeyCache cache() {
    return new KeyCache(stateDir, this::countingStretch, SecretStretch.PARAMETERS, uid);
  }

  private Path file() {
    return stateDir.resolve(KeyCache.FILE_NAME);
  }

  @Test
  void aRestartReadsTheCachedKeysWithoutRunningArgon2id() {
    KeyCache.Outcome first = cache().keysFor(SECRET);
    KeyCache.Outcome restart = cache().keysFor(SECRET);

    assertThat(first.source()).isEqualTo(KeyCache.Source.NO_CACHE);
    assertThat(first.written()).isTrue();
    assertThat(restart.source()).isEqualTo(KeyCache.Source.CACHE);
    assertThat(stretches).hasValue(1);
    assertSameKeys(restart.keys(), first.keys());
  }

  @Test
  void keysDerivedByACallerThatMayNotWriteLeaveTheCacheAsItWas() throws Exception {
    cache().keysFor(SECRET);
    String before = Files.readString(file());

    KeyCache.Outcome refused = cache().keysFor("a-refused-daemons-secret-0123456789", () -> false);

    assertThat(refused.source()).isEqualTo(KeyCache.Source.SECRET_CHANGED);
    assertThat(refused.written()).isFalse();
    assertThat(Files.readString(file())).isEqualTo(before);
    assertThat(cache().keysFor(SECRET).source()).isEqualTo(KeyCache.Source.CACHE);
  }

  @Test
  void cachedKeysAreTheKeysArgon2idGivesForTheSecret() {
    KeyCache real = KeyCache.in(stateDir);
    real.keysFor(SECRET);

    KeyCache.Outcome restart = KeyCache.in(stateDir).keysFor(SECRET);

    assertThat(restart.source()).isEqualTo(KeyCache.Source.CACHE);
    assertSameKeys(restart.keys(), ClusterKeys.fromSecret(SECRET));
  }

  @Test
  void aRotatedSecretIsDerivedAnewAndReplacesTheCache() {
    cache().keysFor(SECRET);
    String rotated = "another-secret-after-rotation-0123456789";

    KeyCache.Outcome afterRotation = cache().keysFor(rotated);
    KeyCache.Outcome nextRestart = cache().keysFor(rotated);

    assertThat(afterRotation.source()).isEqualTo(KeyCache.Source.SECRET_CHANGED);
    assertThat(afterRotation.written()).isTrue();
    assertThat(nextRestart.source()).isEqualTo(KeyCache.Source.CACHE);
    assertThat(stretches).hasValue(2);
    assertSameKeys(nextRestart.keys(), ClusterKeys.fromStretched(countingStretch(bytes(rotated))));
  }

  @Test
  void otherArgon2idParametersAreDerivedAnew() {
    cache().keysFor(SECRET);
    String otherParameters = SecretStretch.PARAMETERS.replace(" t=2 ", " t=3 ");

    KeyCache.Outcome outcome =
        new KeyCache(stateDir, this::countingStretch, otherParameters, uid).keysFor(SECRET);

    assertThat(outcome.source()).isEqualTo(KeyCache.Source.PARAMETERS_CHANGED);
    assertThat(stretches).hasValue(2);
  }

  @Test
  void aFileCutAtAnyLengthIsDerivedAnewAndRewritten() throws Exception {
    cache().keysFor(SECRET);
    byte[] whole = Files.readAllBytes(file());
    ClusterKeys expected = ClusterKeys.fromStretched(countingStretch(bytes(SECRET)));
    for (int length = 0; length < whole.length; length++) {
      Files.write(file(), java.util.Arrays.copyOf(whole, length));
      int before = stretches.get();

      KeyCache.Outcome outcome = cache().keysFor(SECRET);

      assertThat(outcome.source())
          .as("cut at %d bytes", length)
          .isNotEqualTo(KeyCache.Source.CACHE);
      assertThat(stretches.get()).as("cut at %d bytes", length).isEqualTo(before + 1);
      assertSameKeys(outcome.keys(), expected);
      assertThat(Files.readAllBytes(file())).isEqualTo(whole);
    }
  }

  @Test
  void aFlippedBitAnywhereIsDerivedAnew() throws Exception {
    cache().keysFor(SECRET);
    byte[] whole = Files.readAllBytes(file());
    for (int index = 0; index < whole.length; index++) {
      byte[] damaged = whole.clone();
      damaged[index] ^= 0x01;
      Files.write(file(), damaged);
      int before = stretches.get();

      KeyCache.Outcome outcome = cache().keysFor(SECRET);

      assertThat(outcome.source())
          .as("bit flipped at %d", index)
          .isNotEqualTo(KeyCache.Source.CACHE);
      assertThat(stretches.get()).isEqualTo(before + 1);
    }
  }

  @Test
  void aFileOthersCouldReadIsNotTrustedAndIsRewrittenPrivate() throws Exception {
    cache().keysFor(SECRET);
    Files.setPosixFilePermissions(file(), PosixFilePermissions.fromString("rw-r--r--"));

    KeyCache.Outcome outcome = cache().keysFor(SECRET);

    assertThat(outcome.source()).isEqualTo(KeyCache.Source.NOT_PRIVATE);
    assertThat(outcome.detail()).contains("0644");
    assertThat(Files.getPosixFilePermissions(file()))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(cache().keysFor(SECRET).source()).isEqualTo(KeyCache.Source.CACHE);
  }

  @Test
  void aFileOfAnotherUserIsNotTrusted() {
    cache().keysFor(SECRET);

    KeyCache.Outcome outcome =
        new KeyCache(stateDir, this::countingStretch, SecretStretch.PARAMETERS, uid + 1)
            .keysFor(SECRET);

    assertThat(outcome.source()).isEqualTo(KeyCache.Source.NOT_PRIVATE);
    assertThat(outcome.detail()).contains("owned by uid " + uid);
    assertThat(stretches).hasValue(2);
  }

  @Test
  void aDirectoryOthersMayEnterIsNeitherTrustedNorWrittenTo() throws Exception {
    cache().keysFor(SECRET);
    Files.setPosixFilePermissions(stateDir, PosixFilePermissions.fromString("rwxr-xr-x"));

    KeyCache.Outcome outcome = cache().keysFor(SECRET);

    assertThat(outcome.source()).isEqualTo(KeyCache.Source.NOT_PRIVATE);
    assertThat(outcome.written()).isFalse();
    assertThat(stretches).hasValue(2);
  }

  @Test
  void aSymbolicLinkInPlaceOfTheFileIsNotFollowed() throws Exception {
    cache().keysFor(SECRET);
    Path elsewhere = parent.resolve("elsewhere");
    Files.move(file(), elsewhere);
    Files.createSymbolicLink(file(), elsewhere);

    KeyCache.Outcome outcome = cache().keysFor(SECRET);

    assertThat(outcome.source()).isEqualTo(KeyCache.Source.NOT_PRIVATE);
    assertThat(Files.isSymbolicLink(file())).isFalse();
  }

  @Test
  void theFileHoldsNoPlainHashOfTheSecretOnlyACheckKeyedWithTheDerivedOutput() throws Exception {
    KeyCache real = KeyCache.in(stateDir);
    real.keysFor(SECRET);
    String text = Files.readString(file(), StandardCharsets.US_ASCII);
    byte[] stretched = SecretStretch.stretch(bytes(SECRET));

    assertThat(text).doesNotContain(SECRET).doesNotContain(HexFormat.of().formatHex(bytes(SECRET)));
    for (String algorithm : new String[] {"SHA-256", "SHA-1", "MD5", "SHA-512"}) {
      String plain =
          HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes(SECRET)));
      assertThat(text).as(algorithm).doesNotContain(plain.substring(0, 32));
    }
    // The only value besides the Argon2id output needs that output as its key to compute.
    var mac = KeyDerivation.hmac(stretched);
    mac.update(bytes("flywall cluster keys check v1\n" + SecretStretch.PARAMETERS + "\n"));
    String keyedCheck = HexFormat.of().formatHex(mac.doFinal(bytes(SECRET)));
    assertThat(text)
        .isEqualTo(
            "flywall cluster keys v1\n"
                + SecretStretch.PARAMETERS
                + "\nstretched="
                + HexFormat.of().formatHex(stretched)
                + "\ncheck="
                + keyedCheck
                + "\n");
  }

  @Test
  void aStateDirectoryNotThereYetIsCreatedPrivateAndTheKeysCached() throws Exception {
    Path fresh = parent.resolve("fresh");
    KeyCache.Outcome outcome =
        new KeyCache(fresh, this::countingStretch, SecretStretch.PARAMETERS, uid).keysFor(SECRET);

    assertThat(outcome.written()).isTrue();
    assertThat(Files.getPosixFilePermissions(fresh)).isEqualTo(KeyCacheMode.DIRECTORY);
    assertThat(Files.getPosixFilePermissions(fresh.resolve(KeyCache.FILE_NAME)))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
  }

  @Test
  void anUnwritableCacheIsLoggedNotFatal() throws Exception {
    Files.writeString(stateDir.resolve("blocked"), "", StandardOpenOption.CREATE);
    Path notADirectory = stateDir.resolve("blocked");

    KeyCache.Outcome outcome =
        new KeyCache(notADirectory, this::countingStretch, SecretStretch.PARAMETERS, uid)
            .keysFor(SECRET);

    assertThat(outcome.written()).isFalse();
    assertSameKeys(outcome.keys(), ClusterKeys.fromStretched(countingStretch(bytes(SECRET))));
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static void assertSameKeys(ClusterKeys actual, ClusterKeys expected) {
    assertThat(actual.heartbeatKey()).isEqualTo(expected.heartbeatKey());
    assertThat(actual.replicationKey()).isEqualTo(expected.replicationKey());
    assertThat(actual.witnessKey()).isEqualTo(expected.witnessKey());
  }

  /** The state directory's mode, as the daemon creates it. */
  private static final class KeyCacheMode {
    static final java.util.Set<java.nio.file.attribute.PosixFilePermission> DIRECTORY =
        PosixFilePermissions.fromString("rwx------");
  }
}
