package io.deadbolt.it.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * A key pair and a self-signed certificate for 127.0.0.1, made at test time with the JDK's keytool (no
 * key is ever committed), written as the PEM files the server takes, and a client TLS context that
 * trusts exactly that certificate.
 */
public final class TestCertificate {
    private static final char[] STORE_PASSWORD = "test-only".toCharArray();
    private static final String ALIAS = "deadbolt";

    private final Path certFile;
    private final Path keyFile;
    private final SSLContext clientContext;

    private TestCertificate(Path certFile, Path keyFile, SSLContext clientContext) {
        this.certFile = certFile;
        this.keyFile = keyFile;
        this.clientContext = clientContext;
    }

    /** Makes the key pair and certificate in {@code directory}. */
    public static TestCertificate create(Path directory) {
        try {
            Path store = directory.resolve("server.p12");
            keytool("-genkeypair", "-alias", ALIAS, "-keyalg", "EC", "-groupname", "secp256r1",
                    "-sigalg", "SHA256withECDSA", "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                    "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(),
                    "-storepass", new String(STORE_PASSWORD), "-keypass", new String(STORE_PASSWORD));
            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) {
                keyStore.load(in, STORE_PASSWORD);
            }
            Certificate certificate = keyStore.getCertificate(ALIAS);
            PrivateKey key = (PrivateKey) keyStore.getKey(ALIAS, STORE_PASSWORD);
            Path certFile = directory.resolve("server.crt");
            Path keyFile = directory.resolve("server.key");
            Files.writeString(certFile, pem("CERTIFICATE", certificate.getEncoded()));
            // getEncoded() of a private key is PKCS#8, which is what BEGIN PRIVATE KEY holds.
            Files.writeString(keyFile, pem("PRIVATE KEY", key.getEncoded()));

            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            trusted.setCertificateEntry(ALIAS, certificate);
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return new TestCertificate(certFile, keyFile, context);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public Path certFile() {
        return certFile;
    }

    public Path keyFile() {
        return keyFile;
    }

    /** A client TLS context that trusts this certificate and nothing else. */
    public SSLContext clientContext() {
        return clientContext;
    }

    /**
     * A TLS connection to the server that checks its certificate and its name, as a careful client
     * would, with the handshake done.
     */
    public TextConnection connect(TestServer server) {
        try {
            SSLSocket socket = (SSLSocket) clientContext.getSocketFactory().createSocket();
            socket.connect(new InetSocketAddress(server.host(), server.port()), 10_000);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(parameters);
            socket.setSoTimeout((int) TextConnection.DEFAULT_TIMEOUT.toMillis());
            socket.startHandshake();
            return TextConnection.over(socket);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }

    private static void keytool(String... args) throws IOException {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        List<String> command = new ArrayList<>();
        command.add(keytool.toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("keytool failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while keytool ran", e);
        } finally {
            process.destroyForcibly();
        }
    }
}
