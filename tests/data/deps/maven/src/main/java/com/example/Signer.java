package com.example;

import java.security.Security;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

public class Signer {
    static { Security.addProvider(new BouncyCastleProvider()); }
}
