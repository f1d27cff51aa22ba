package com.example.payments;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import javax.crypto.Cipher;

/** Signs receipts for the archive (kept for 10 years). */
public class ReceiptSigner {
    private static final int KEY_SIZE = 3072;

    public KeyPair newKey() throws Exception {
        KeyPairGenerator kpg = KeyPairGenerator.getInstance("RSA");
        kpg.initialize(KEY_SIZE);
        return kpg.generateKeyPair();
    }

    public byte[] sign(KeyPair kp, byte[] receipt) throws Exception {
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initSign(kp.getPrivate());
        s.update(receipt);
        return s.sign();
    }

    public byte[] fingerprint(byte[] receipt) throws Exception {
        return MessageDigest.getInstance("SHA-1").digest(receipt);
    }

    public byte[] seal(javax.crypto.SecretKey key, byte[] data) throws Exception {
        Cipher c = Cipher.getInstance("AES/CBC/PKCS5Padding");
        c.init(Cipher.ENCRYPT_MODE, key);
        return c.doFinal(data);
    }
}
