package corpus;

import java.math.BigInteger;
import java.security.SecureRandom;
import org.bouncycastle.crypto.digests.MD5Digest;  // expect: MD5 unknown
import org.bouncycastle.crypto.engines.DESedeEngine;  // expect: 3DES unknown
import org.bouncycastle.crypto.generators.RSAKeyPairGenerator;  // expect: RSA unknown
import org.bouncycastle.crypto.params.RSAKeyGenerationParameters;  // expect: RSA unknown
import org.bouncycastle.crypto.agreement.ECDHBasicAgreement;  // expect: ECDH unknown
import org.bouncycastle.crypto.signers.Ed25519Signer;  // expect: Ed25519 unknown

class BouncyCastle {
    void lightweight() {
        RSAKeyPairGenerator gen = new RSAKeyPairGenerator();  // expect: RSA unknown
        gen.init(new RSAKeyGenerationParameters(BigInteger.valueOf(65537), new SecureRandom(), 2048, 80)); // expect: RSA key-generation
        DESedeEngine engine = new DESedeEngine(); // expect: 3DES symmetric
        MD5Digest digest = new MD5Digest(); // expect: MD5 hashing
        ECDHBasicAgreement agreement = new ECDHBasicAgreement(); // expect: ECDH key-exchange
        Ed25519Signer signer = new Ed25519Signer(); // expect: Ed25519 signature
    }
}
