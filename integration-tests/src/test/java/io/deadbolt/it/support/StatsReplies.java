package io.deadbolt.it.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * What a client that flooded the server with {@code stats} got back, read to the server's close: how
 * many replies began, and the last line (a reply cut short would not end in {@code END}).
 *
 * @param count the {@code 200 STATS} lines read
 * @param last  the last line before the close; null if there was none
 */
public record StatsReplies(int count, String last) {

    /** Reads {@code client}'s input until the server closes it; the socket's read timeout applies. */
    public static StatsReplies readUntilClosed(Socket client) throws IOException {
        BufferedReader replies = new BufferedReader(
                new InputStreamReader(client.getInputStream(), StandardCharsets.US_ASCII));
        int count = 0;
        String line;
        String last = null;
        while ((line = replies.readLine()) != null) {
            if (line.equals("200 STATS")) {
                count++;
            }
            last = line;
        }
        return new StatsReplies(count, last);
    }
}
