package org.dicomrelay.cli;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A password from the terminal (not echoed) or, in scripts, the first line of standard input; never an argument (ps would show it). */
final class PasswordInput {
    private PasswordInput() {}

    static char[] read(String prompt, boolean confirm) throws IOException {
        Console c = System.console();
        if (c != null) {
            char[] p = c.readPassword("%s: ", prompt);
            if (p == null) throw new IOException("no password given");
            if (confirm) {
                char[] again = c.readPassword("%s (again): ", prompt);
                if (again == null || !Arrays.equals(p, again)) {
                    Arrays.fill(p, '\0');
                    throw new IOException("the two passwords differ");
                }
                Arrays.fill(again, '\0');
            }
            return p;
        }
        String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        if (line == null || line.isEmpty()) throw new IOException("no password on standard input");
        return line.toCharArray();
    }
}
