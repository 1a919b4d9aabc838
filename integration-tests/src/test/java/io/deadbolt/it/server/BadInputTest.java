package io.deadbolt.it.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Named.named;

import io.deadbolt.it.support.TestServerExtension;
import io.deadbolt.it.support.TextConnection;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kind of bad request gets its {@code 400} line, and neither the connection nor the locks its
 * session holds are affected: after each one the connection still answers, and the lock it held
 * before is still its own with the same token.
 */
class BadInputTest {
    private static final String WRONG_ARGS = "400 wrong number of arguments for '%s'";
    private static final String BAD_NAME = "400 invalid lock name";
    private static final String BAD_WAIT =
            "400 invalid wait \"%s\": expected seconds as a non-negative decimal, like 5 or 0.25";
    private static final String WAIT_TOO_LONG = "400 wait too long: at most 3600 seconds";
    private static final String BAD_TIMEOUT = "400 invalid timeout \"%s\": expected milliseconds from 0 to 600000";
    private static final String NAME_250_BYTES = "n".repeat(250);
    private static final String NAME_251_BYTES = "n".repeat(251);

    @RegisterExtension
    final TestServerExtension server = new TestServerExtension();
    private TextConnection client;
    private long heldToken;

    @BeforeEach
    void holdALock() {
        client = server.connect();
        heldToken = client.acquire("held");
    }

    static Stream<Arguments> badRequests() {
        List<Arguments> cases = new ArrayList<>();
        // wrong argument counts
        add(cases, "lock", WRONG_ARGS.formatted("lock"));
        add(cases, "lock a 1 2", WRONG_ARGS.formatted("lock"));
        add(cases, "unlock", WRONG_ARGS.formatted("unlock"));
        add(cases, "unlock a b", WRONG_ARGS.formatted("unlock"));
        add(cases, "unlock_all now", WRONG_ARGS.formatted("unlock_all"));
        add(cases, "conn_id a b", WRONG_ARGS.formatted("conn_id"));
        add(cases, "set_timeout", WRONG_ARGS.formatted("set_timeout"));
        add(cases, "set_timeout 1 2", WRONG_ARGS.formatted("set_timeout"));
        add(cases, "stats all", WRONG_ARGS.formatted("stats"));
        add(cases, "quit now", WRONG_ARGS.formatted("quit"));
        add(cases, "echo", WRONG_ARGS.formatted("echo"));
        add(cases, "echo \t ", WRONG_ARGS.formatted("echo"));
        // bad names: too long, control characters, whitespace other than the separators, not UTF-8
        add(cases, "lock " + NAME_251_BYTES, BAD_NAME);
        add(cases, "unlock " + NAME_251_BYTES, BAD_NAME);
        add(cases, "lock " + NAME_251_BYTES + " 5", BAD_NAME);
        add(cases, "lock " + "é".repeat(126), BAD_NAME);
        add(cases, "lock " + "€".repeat(84), BAD_NAME);
        add(cases, "lock a\u0001b", BAD_NAME);
        add(cases, "lock a\u0000b", BAD_NAME);
        add(cases, "lock a\u001bb", BAD_NAME);
        add(cases, "lock a\u007fb", BAD_NAME);
        add(cases, "lock a\u0085b", BAD_NAME);
        add(cases, "lock a\u000bb", BAD_NAME);
        add(cases, "lock a\u000cb", BAD_NAME);
        add(cases, "lock a\rb", BAD_NAME);
        add(cases, "lock a\u00a0b", BAD_NAME);
        add(cases, "lock a\u2028b", BAD_NAME);
        add(cases, "lock a\u3000b", BAD_NAME);
        add(cases, "unlock held\u0001", BAD_NAME);
        add(cases, "lock a\ufffdb", BAD_NAME);
        add(cases, "conn_id " + NAME_251_BYTES, "400 invalid conn id");
        add(cases, "conn_id a\u0001b", "400 invalid conn id");
        addBytes(cases, "lock a<FF>b", bytes("lock a", 0xff, "b"), BAD_NAME);
        addBytes(cases, "lock a<C3> (truncated sequence)", bytes("lock a", 0xc3), BAD_NAME);
        addBytes(cases, "lock <C0 AF> (overlong /)", bytes("lock ", 0xc0, 0xaf), BAD_NAME);
        addBytes(cases, "lock <ED A0 80> (encoded surrogate)", bytes("lock ", 0xed, 0xa0, 0x80), BAD_NAME);
        addBytes(cases, "lock held<FF> (a held name plus a bad byte)", bytes("lock held", 0xff), BAD_NAME);
        addBytes(cases, "unlock held<80>", bytes("unlock held", 0x80), BAD_NAME);
        addBytes(cases, "conn_id <FE FF>", bytes("conn_id ", 0xfe, 0xff), "400 invalid conn id");
        // bad waits
        for (String wait : List.of("-1", "abc", "1e3", ".", "1.2.3", "+5", "0x10", "5s", "1,5", "-0",
                "9".repeat(33))) {
            add(cases, "lock x " + wait, BAD_WAIT.formatted(wait));
        }
        add(cases, "lock x 3601", WAIT_TOO_LONG);
        add(cases, "lock x 3600.001", WAIT_TOO_LONG);
        add(cases, "lock x 99999999999999999999999", WAIT_TOO_LONG);
        // bad timeouts
        for (String timeout : List.of("-1", "600001", "abc", "1.5", "1e3", "+5", "99999999999999999999")) {
            add(cases, "set_timeout " + timeout, BAD_TIMEOUT.formatted(timeout));
        }
        // unknown commands
        add(cases, "frobnicate", "400 Unknown command: \"frobnicate\"");
        add(cases, "LOCK held", "400 Unknown command: \"LOCK\"");
        add(cases, "Unlock held", "400 Unknown command: \"Unlock\"");
        add(cases, "unlockall", "400 Unknown command: \"unlockall\"");
        add(cases, "lock_all", "400 Unknown command: \"lock_all\"");
        return cases.stream();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("badRequests")
    void badRequestGets400AndChangesNothing(byte[] request, String expectedReply) {
        client.sendRaw(request).sendRaw("\r\n");

        assertThat(client.readLine()).isEqualTo(expectedReply);
        assertThat(client.request("echo still usable")).isEqualTo("200 still usable");
        assertThat(client.request("lock held")).isEqualTo("200 Acquired token=" + heldToken);
        assertThat(server.connect().request("lock held")).isEqualTo("409 Unavailable");
    }

    @Test
    void badRequestsPipelinedBetweenGoodOnesAreEachAnsweredInOrder() {
        client.sendRaw("lock\r\necho one\r\nlock " + NAME_251_BYTES + "\nlock x -1\r\nnope\r\nlock held\r\n");

        assertThat(client.readLines(6)).containsExactly(
                WRONG_ARGS.formatted("lock"),
                "200 one",
                BAD_NAME,
                BAD_WAIT.formatted("-1"),
                "400 Unknown command: \"nope\"",
                "200 Acquired token=" + heldToken);
    }

    @Test
    void theLongestAndTheMostUnusualValidNamesAreAccepted() {
        assertThat(client.request("lock " + NAME_250_BYTES)).matches(TextConnection.ACQUIRED);
        assertThat(client.request("lock " + "é".repeat(125))).matches(TextConnection.ACQUIRED);
        assertThat(client.request("lock ключ/αβγ:🔒")).matches(TextConnection.ACQUIRED);
        assertThat(client.request("lock !\"#$%&'()*+,-./")).matches(TextConnection.ACQUIRED);
        assertThat(server.connect().request("unlock " + NAME_250_BYTES)).isEqualTo("403 not_yours");
    }

    private static void add(List<Arguments> cases, String request, String reply) {
        cases.add(Arguments.of(named(printable(request), request.getBytes(StandardCharsets.UTF_8)), reply));
    }

    private static void addBytes(List<Arguments> cases, String display, byte[] request, String reply) {
        cases.add(Arguments.of(named(display, request), reply));
    }

    /** Text and raw byte values, concatenated. */
    private static byte[] bytes(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object part : parts) {
            if (part instanceof String text) {
                out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
            } else {
                out.write((Integer) part);
            }
        }
        return out.toByteArray();
    }

    private static String printable(String request) {
        String shown = request.length() > 60 ? request.substring(0, 40) + "...(" + request.length() + " chars)" : request;
        StringBuilder out = new StringBuilder();
        shown.codePoints().forEach(cp -> {
            if (Character.isISOControl(cp) || Character.isWhitespace(cp) && cp != ' ' || Character.isSpaceChar(cp) && cp != ' ') {
                out.append(String.format("<U+%04X>", cp));
            } else {
                out.appendCodePoint(cp);
            }
        });
        return out.toString();
    }
}
