package io.deadbolt.server.net;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --password-file}: the password clients give with {@code auth}, kept only as its SHA-256
 * digest. Comparing digests of equal length with {@link MessageDigest#isEqual} takes the same time
 * wherever they differ, so the time of a refusal tells nothing about how close a guess was, nor even
 * the password's length.
 */
final class Authenticator {
    private static final Logger log = LoggerFactory.getLogger(Authenticator.class);
    static final Authenticator NONE = new Authenticator(null);

    private final byte[] digest;

    private Authenticator(byte[] digest) {
        this.digest = digest;
    }

    /**
     * The password is the file's first line without the whitespace around it. It must be one word, as
     * {@code auth} takes one: a space or tab inside it is refused rather than silently never matching.
     */
    static Authenticator fromFile(Path file) throws IOException {
        String first;
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            first = reader.readLine();
        }
        String password = first == null ? "" : first.trim();
        if (password.isEmpty()) {
            throw new IOException("the first line of " + file + " is empty; it must hold the password");
        }
        if (password.indexOf(' ') >= 0 || password.indexOf('\t') >= 0) {
            throw new IOException("the password in " + file + " has a space or tab in it; 'auth' takes one word");
        }
        warnIfOthersCanRead(file);
        return new Authenticator(sha256(password));
    }

    boolean required() {
        return digest != null;
    }

    boolean matches(String candidate) {
        return digest != null && MessageDigest.isEqual(digest, sha256(candidate));
    }

    private static void warnIfOthersCanRead(Path file) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        if (view != null && view.readAttributes().permissions().contains(PosixFilePermission.OTHERS_READ)) {
            log.warn("the password file {} can be read by every user of this machine (chmod o-r)", file);
        }
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }
}
