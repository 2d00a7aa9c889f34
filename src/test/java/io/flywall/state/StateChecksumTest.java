package io.flywall.state;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StateChecksumTest {

  /**
   * The digest as the format defines it, one field at a time: what every node and every stored
   * digest column (schema 2) agree on, so the faster layout must give exactly this.
   */
  private static long defined(
      String bucket, String key, byte[] value, long version, long hlc, String origin, long expires)
      throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    field(sha, bucket.getBytes(UTF_8));
    field(sha, key.getBytes(UTF_8));
    field(sha, value);
    sha.update(ByteBuffer.allocate(24).putLong(version).putLong(hlc).putLong(expires).array());
    field(sha, origin.getBytes(UTF_8));
    return ByteBuffer.wrap(sha.digest()).getLong();
  }

  private static void field(MessageDigest sha, byte[] bytes) {
    sha.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
    sha.update(bytes);
  }

  @Test
  void aKnownEntryHasTheDigestItHadBefore() {
    // Pinned: stored digests and peers running other versions must keep agreeing with it.
    long digest =
        StateChecksum.digest(
            "dhcp_leases", "lease-1", "{\"ip\":\"10.0.0.1\"}".getBytes(UTF_8), 1, 42, "fw1", 0);
    assertThat(digest).isEqualTo(8674017053558830871L);
  }

  @Test
  void everyEntryGetsTheDigestTheFormatDefinesWhateverItsNamesAndValue() throws Exception {
    Random random = new Random(7);
    String[] alphabet = {
      "a", "Z", "0", "'", "\"", "\\", "é", "日", "\uD83D\uDE00", "\uD800", "\u0000"
    };
    for (int round = 0; round < 3000; round++) {
      // Names up to 3,000 characters: past the inline buffer in characters and in bytes.
      String bucket = text(random, alphabet, round % 100 == 0 ? 3000 : 20);
      String key = text(random, alphabet, round % 77 == 0 ? 1500 : 300);
      String origin = text(random, alphabet, round % 50 == 0 ? 1100 : 10);
      byte[] value = new byte[round % 500 == 0 ? 100_000 : random.nextInt(200)];
      random.nextBytes(value);
      long version = random.nextLong();
      long hlc = random.nextLong();
      long expires = random.nextLong();

      assertThat(StateChecksum.digest(bucket, key, value, version, hlc, origin, expires))
          .as("round %d", round)
          .isEqualTo(defined(bucket, key, value, version, hlc, origin, expires));
    }
  }

  private static String text(Random random, String[] alphabet, int maxLength) {
    StringBuilder s = new StringBuilder();
    int length = 1 + random.nextInt(maxLength);
    boolean ascii = random.nextBoolean();
    while (s.length() < length) {
      s.append(alphabet[random.nextInt(ascii ? 5 : alphabet.length)]);
    }
    return s.toString();
  }
}
