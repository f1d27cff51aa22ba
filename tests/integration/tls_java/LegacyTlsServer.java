// A TLS server on OpenJDK's JSSE offering what OpenSSL 3/4 no longer can: 3DES and RC4 suites, DHE on a
// 1024-bit group, TLS 1.0/1.1. For pqscan's collector tests only (loopback).
// Usage: java -Djdk.tls.ephemeralDHKeySize=1024 LegacyTlsServer.java KEYSTORE.p12 PASSWORD PROTOCOLS SUITES
// (PROTOCOLS and SUITES comma-separated, SUITES in the server's preference order). Prints "port N", then
// serves 127.0.0.1 until stdin closes.
import java.io.FileInputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.security.KeyStore;
import java.security.Security;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

public class LegacyTlsServer {
    public static void main(String[] args) throws Exception {
        // Re-enable what java.security disables (3DES, RC4, DES, TLSv1, TLSv1.1, DH keys < 2048).
        Security.setProperty("jdk.tls.disabledAlgorithms", "");
        Security.setProperty("jdk.tls.legacyAlgorithms", "");
        char[] password = args[1].toCharArray();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (FileInputStream in = new FileInputStream(args[0])) {
            ks.load(in, password);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, password);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        SSLServerSocket server = (SSLServerSocket) ctx.getServerSocketFactory()
                .createServerSocket(0, 128, InetAddress.getLoopbackAddress());
        SSLParameters params = server.getSSLParameters();
        params.setProtocols(args[2].split(","));
        params.setCipherSuites(args[3].split(","));
        params.setUseCipherSuitesOrder(true);
        server.setSSLParameters(params);
        System.out.println("port " + server.getLocalPort());
        System.out.flush();
        Thread watcher = new Thread(() -> {
            try {
                while (System.in.read() >= 0) { }
            } catch (Exception ignored) { }
            System.exit(0);
        });
        watcher.setDaemon(true);
        watcher.start();
        while (true) {
            Socket s = server.accept();
            Thread t = new Thread(() -> serve((SSLSocket) s));
            t.setDaemon(true);
            t.start();
        }
    }

    private static void serve(SSLSocket s) {
        try {
            s.setSoTimeout(5000);
            s.startHandshake();
            s.getOutputStream().write("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes());
        } catch (Exception ignored) {
            // probes hang up after the server's first flight by design
        } finally {
            try { s.close(); } catch (Exception ignored) { }
        }
    }
}
