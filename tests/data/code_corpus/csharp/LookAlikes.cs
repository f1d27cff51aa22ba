using System.Net.Security;
using System.Security.Authentication;

namespace Corpus
{
    public class LookAlikes
    {
        public string Description { get; set; } = "des";
        public string Address { get; } = "md5";  // expect: MD5 unknown

        public SslProtocols Protocols() => SslProtocols.Tls; // expect: TLS1.0 protocol

        public string ParseRsaHeader(string nodes)
        {
            // RSA.Create(512) in a comment
            throw new System.ArgumentException("RSA key too short; DES rejected: " + nodes);
        }
    }
}
