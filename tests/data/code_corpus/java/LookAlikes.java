package corpus;

import java.util.logging.Logger;

// Nothing in this file is cryptography: RSA, DES, 3DES, MD5, ECDSA appear only in text.
public class LookAlikes {
    private static final Logger LOG = Logger.getLogger("rsa");
    private String description = "des";
    private final String address = "sha1";  // expect: SHA-1 unknown

    String parseRsaHeader(String nodes) {
        LOG.info("RSA key of 1024 bits rejected; DES and MD5 are disabled");
        String algorithm = "SHA256withRSA"; // a name in a variable counts where it is written (issue #12)  // expect: RSASSA-PKCS1-SHA256 unknown
        if (nodes.contains("ECDSA")) {  // expect: ECDSA unknown
            throw new IllegalArgumentException("Cipher.getInstance(\"DES\") is forbidden");
        }
        return description + address + algorithm;
    }

    int getInstance(String name) {
        return name.length();
    }
}
