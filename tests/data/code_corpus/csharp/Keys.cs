using System;
using System.Security.Cryptography;

namespace Corpus
{
    /// <summary>Generates RSA keys. DES, MD5 and ECDsa in this comment are not findings.</summary>
    public class Keys
    {
        private const int LegacyBits = 1024;

        public void Generate()
        {
            var rsa = RSA.Create(2048); // expect: RSA key-generation
            var csp = new RSACryptoServiceProvider(LegacyBits); // expect: RSA key-generation
            var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256); // expect: ECDSA-P256 signature
            var ecdh = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP384); // expect: ECDH-P384 key-exchange
            var kem = MLKem.GenerateKey(MLKemAlgorithm.MLKem768); // expect: ML-KEM-768 key-exchange
            var dsa = MLDsa.GenerateKey(MLDsaAlgorithm.MLDsa65); // expect: ML-DSA-65 signature
            Console.WriteLine("RSA, DES and MD5 are mentioned in a log line");
        }

        public void Symmetric()
        {
            var md5 = MD5.Create(); // expect: MD5 hashing
            var sha1 = SHA1.Create(); // expect: SHA-1 hashing
            var tdes = TripleDES.Create(); // expect: 3DES symmetric
            var des = new DESCryptoServiceProvider(); // expect: DES symmetric
            var hmac = new HMACSHA1(new byte[16]); // expect: HMAC-SHA1 mac
            var aes = Aes.Create(); // expect: AES symmetric
        }
    }
}
