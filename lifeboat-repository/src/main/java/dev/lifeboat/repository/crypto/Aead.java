package dev.lifeboat.repository.crypto;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM with a random 96-bit nonce per message. Output: {@code nonce(12) || ciphertext || tag(16)}. The
 * additional data binds a message to its context, so a valid ciphertext moved to another place fails to open.
 * NIST SP 800-38D bounds random nonces to 2^32 messages per key; data keys are rotated well before that.
 */
public final class Aead {
    public static final int KEY_BYTES = 32;
    public static final int NONCE_BYTES = 12;
    public static final int TAG_BYTES = 16;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ThreadLocal<Cipher> CIPHER = ThreadLocal.withInitial(() -> {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available in this Java runtime", e);
        }
    });

    private Aead() {
    }

    public static byte[] randomKey() {
        byte[] k = new byte[KEY_BYTES];
        RANDOM.nextBytes(k);
        return k;
    }

    public static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    /** Encrypts into {@code out} at {@code offset}: nonce, ciphertext and tag; returns the bytes written. */
    public static int seal(byte[] key, byte[] plaintext, int plainOffset, int plainLength, byte[] aad, byte[] out, int offset) {
        try {
            byte[] nonce = randomBytes(NONCE_BYTES);
            System.arraycopy(nonce, 0, out, offset, NONCE_BYTES);
            Cipher c = CIPHER.get();
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BYTES * 8, nonce));
            c.updateAAD(aad);
            return NONCE_BYTES + c.doFinal(plaintext, plainOffset, plainLength, out, offset + NONCE_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
    }

    /**
     * Encrypts one message under a caller-chosen nonce into {@code out} at {@code offset}: ciphertext and tag, no
     * nonce; returns the bytes written. The caller guarantees the nonce is never reused with this key.
     */
    public static int sealWithNonce(byte[] key, byte[] nonce, byte[] plaintext, int plainOffset, int plainLength, byte[] aad, byte[] out,
                                    int offset) {
        try {
            Cipher c = CIPHER.get();
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BYTES * 8, nonce));
            c.updateAAD(aad);
            return c.doFinal(plaintext, plainOffset, plainLength, out, offset);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
    }

    /**
     * Decrypts and authenticates one message sealed by {@link #sealWithNonce} into {@code out} at {@code outOffset};
     * returns the plaintext length.
     *
     * @throws AEADBadTagException when the key, nonce, additional data or any byte of the message is wrong
     */
    public static int openWithNonce(byte[] key, byte[] nonce, byte[] sealed, int offset, int length, byte[] aad, byte[] out, int outOffset)
            throws AEADBadTagException {
        if (length < TAG_BYTES) {
            throw new AEADBadTagException("message too short (" + length + " bytes)");
        }
        try {
            Cipher c = CIPHER.get();
            c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BYTES * 8, nonce));
            c.updateAAD(aad);
            // Not doFinal(in, off, len, out, outOff): on JDK 17.0.15 with AVX-512 that form fails authentication of
            // valid messages once C2 has compiled it (reproduced: every call after a few thousand). This one is sound.
            byte[] plain = c.doFinal(sealed, offset, length);
            System.arraycopy(plain, 0, out, outOffset, plain.length);
            return plain.length;
        } catch (AEADBadTagException e) {
            throw e;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM decryption failed", e);
        }
    }

    /** The one warm-up of this JVM (see {@link #warmUp()}). */
    private static final java.util.concurrent.FutureTask<Void> WARM_UP = new java.util.concurrent.FutureTask<>(() -> {
        warmUpNow();
        return null;
    });
    private static final java.util.concurrent.atomic.AtomicBoolean WARM_UP_STARTED = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * Runs a few thousand small messages through AES-GCM so that HotSpot compiles its intrinsics before a long run
     * of large objects (WAL segments, a restore) starts: measured here, AES-GCM runs at about 50 MB/s until some
     * thousands of calls have been made, and at gigabytes per second after. Takes a fraction of a second, once per
     * JVM; a call while {@link #warmUpInBackground()} runs waits for it.
     */
    public static void warmUp() {
        if (WARM_UP_STARTED.compareAndSet(false, true)) {
            WARM_UP.run();
        }
        try {
            WARM_UP.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("AES-GCM warm-up failed", e.getCause());
        }
    }

    /**
     * Starts {@link #warmUp()} on a daemon thread unless it ran already. Opening an encrypted repository calls this
     * before it derives the key, so the warm-up runs on the second core while Argon2id runs on the first.
     */
    public static void warmUpInBackground() {
        if (WARM_UP_STARTED.compareAndSet(false, true)) {
            Thread t = new Thread(WARM_UP, "lifeboat-aes-gcm-warm-up");
            t.setDaemon(true);
            t.start();
        }
    }

    private static void warmUpNow() {
        byte[] key = randomKey();
        byte[] plain = new byte[1024];
        byte[] out = new byte[plain.length + TAG_BYTES];
        byte[] nonce = new byte[NONCE_BYTES];
        byte[] aad = new byte[16];
        try {
            for (int i = 0; i < 4000; i++) {
                nonce[0] = (byte) i;
                nonce[1] = (byte) (i >> 8);
                sealWithNonce(key, nonce, plain, 0, plain.length, aad, out, 0);
                openWithNonce(key, nonce, out, 0, out.length, aad, plain, 0);
            }
        } catch (AEADBadTagException e) {
            throw new IllegalStateException("AES-GCM does not round-trip", e);
        }
    }

    public static byte[] seal(byte[] key, byte[] plaintext, byte[] aad) {
        byte[] out = new byte[plaintext.length + NONCE_BYTES + TAG_BYTES];
        seal(key, plaintext, 0, plaintext.length, aad, out, 0);
        return out;
    }

    /**
     * Decrypts and authenticates {@code sealed[offset, offset+length)}.
     *
     * @throws AEADBadTagException when the key is wrong or any byte of message or additional data was changed
     */
    public static byte[] open(byte[] key, byte[] sealed, int offset, int length, byte[] aad) throws AEADBadTagException {
        if (length < NONCE_BYTES + TAG_BYTES) {
            throw new AEADBadTagException("message too short (" + length + " bytes)");
        }
        try {
            Cipher c = CIPHER.get();
            c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"),
                    new GCMParameterSpec(TAG_BYTES * 8, Arrays.copyOfRange(sealed, offset, offset + NONCE_BYTES)));
            c.updateAAD(aad);
            return c.doFinal(sealed, offset + NONCE_BYTES, length - NONCE_BYTES);
        } catch (AEADBadTagException e) {
            throw e;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM decryption failed", e);
        }
    }

    public static byte[] open(byte[] key, byte[] sealed, byte[] aad) throws AEADBadTagException {
        return open(key, sealed, 0, sealed.length, aad);
    }
}
