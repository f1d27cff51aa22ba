package corpus;

import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;  // expect: ECDSA unknown
import javax.crypto.Cipher;
import javax.crypto.KEM;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;

/**
 * Uses RSA, DES and MD5 -- in Javadoc only. KeyPairGenerator.getInstance("DSA") is not called here.
 */
public class JcaKeys {
    private static final int LEGACY_BITS = 1024;
    private static final String TRANSFORMATION = "DES/ECB/PKCS5Padding";  // expect: DES unknown

    void rsa() throws Exception {
        KeyPairGenerator kpg = KeyPairGenerator.getInstance("RSA"); // expect: RSA key-generation
        kpg.initialize(LEGACY_BITS);
    }

    void rsaUnknownSize(int bits) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA"); // expect: RSA key-generation
        g.initialize(bits);
    }

    void ec() throws Exception {
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC"); // expect: ECDSA-P384 key-generation
        ec.initialize(new ECGenParameterSpec("secp384r1"));  // expect: ECDSA-P384 unknown
    }

    void signatures() throws Exception {
        Signature ecdsa = Signature.getInstance("SHA256withECDSA"); // expect: ECDSA signature
        Signature rsa = Signature.getInstance("SHA1withRSA"); // expect: RSA signature
        Signature ed = Signature.getInstance("Ed25519"); // expect: Ed25519 signature
        Signature pq = Signature.getInstance("ML-DSA-65"); // expect: ML-DSA-65 signature
    }

    void ciphers() throws Exception {
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding"); // expect: AES-GCM symmetric
        Cipher des = Cipher.getInstance(TRANSFORMATION); // expect: DES symmetric
        Cipher tdes = Cipher.getInstance("DESede/CBC/PKCS5Padding"); // expect: 3DES symmetric
        Cipher oaep = Cipher.getInstance("RSA/ECB/OAEPWithSHA-256AndMGF1Padding"); // expect: RSA encryption
        Cipher bare = Cipher.getInstance("AES"); // expect: AES-ECB symmetric
    }

    void agreements() throws Exception {
        KeyAgreement ecdh = KeyAgreement.getInstance("ECDH"); // expect: ECDH key-exchange
        KeyAgreement xdh = KeyAgreement.getInstance("XDH"); // expect: X25519 key-exchange
        KeyAgreement dh = KeyAgreement.getInstance("DiffieHellman"); // expect: DH key-exchange
        KEM kem = KEM.getInstance("ML-KEM"); // expect: ML-KEM key-exchange
    }

    void digests() throws Exception {
        MessageDigest md5 = MessageDigest.getInstance("MD5"); // expect: MD5 hashing
        MessageDigest sha = MessageDigest.getInstance("SHA-256"); // expect: SHA-256 hashing
        Mac mac = Mac.getInstance("HmacSHA1"); // expect: HMAC-SHA1 mac
    }
}
