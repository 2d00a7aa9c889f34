package io.flywall.cluster;

import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HKDF with HMAC-SHA256 (RFC 5869): turns the operator's shared secret into independent keys, one
 * per purpose, so a key leaked or misused in one protocol says nothing about the other.
 */
public final class KeyDerivation {

  private static final String HMAC_SHA256 = "HmacSHA256";
  private static final int HASH_LENGTH = 32;

  private KeyDerivation() {}

  /**
   * HKDF-Extract: a pseudorandom key from input keying material; an empty salt means HashLen zeros.
   */
  public static byte[] extract(byte[] salt, byte[] inputKeyMaterial) {
    byte[] effectiveSalt = salt == null || salt.length == 0 ? new byte[HASH_LENGTH] : salt;
    return hmac(effectiveSalt).doFinal(inputKeyMaterial);
  }

  /** HKDF-Expand: {@code length} bytes of output keying material bound to {@code info}. */
  public static byte[] expand(byte[] pseudorandomKey, byte[] info, int length) {
    if (length < 1 || length > 255 * HASH_LENGTH) {
      throw new IllegalArgumentException("HKDF output length must be 1.." + 255 * HASH_LENGTH);
    }
    Mac mac = hmac(pseudorandomKey);
    byte[] output = new byte[length];
    byte[] block = new byte[0];
    int filled = 0;
    for (int counter = 1; filled < length; counter++) {
      mac.update(block);
      mac.update(info);
      mac.update((byte) counter);
      block = mac.doFinal();
      int take = Math.min(block.length, length - filled);
      System.arraycopy(block, 0, output, filled, take);
      filled += take;
    }
    return output;
  }

  /** Extract then expand. */
  public static byte[] derive(byte[] salt, byte[] inputKeyMaterial, byte[] info, int length) {
    return expand(extract(salt, inputKeyMaterial), info, length);
  }

  /** An initialised HMAC-SHA256; every JRE ships it, so its absence is a broken runtime. */
  static Mac hmac(byte[] key) {
    try {
      Mac mac = Mac.getInstance(HMAC_SHA256);
      mac.init(new SecretKeySpec(key, HMAC_SHA256));
      return mac;
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HMAC-SHA256 unavailable in this JRE", e);
    }
  }
}
