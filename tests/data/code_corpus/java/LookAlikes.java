package corpus;

import java.util.logging.Logger;

// Nothing in this file is cryptography: RSA, DES, 3DES, MD5, ECDSA appear only in text.
public class LookAlikes {
    private static final Logger LOG = Logger.getLogger("rsa");
    private String description = "des";
    private final String address = "sha1";

    String parseRsaHeader(String nodes) {
        LOG.info("RSA key of 1024 bits rejected; DES and MD5 are disabled");
        String algorithm = "SHA256withRSA"; // a string that never reaches a crypto API
        if (nodes.contains("ECDSA")) {
            throw new IllegalArgumentException("Cipher.getInstance(\"DES\") is forbidden");
        }
        return description + address + algorithm;
    }

    int getInstance(String name) {
        return name.length();
    }
}
