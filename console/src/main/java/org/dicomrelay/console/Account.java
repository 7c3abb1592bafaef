package org.dicomrelay.console;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A console user: name, role and Argon2id password hash ({@link PasswordHash}); never the password. */
public record Account(@JsonProperty("user") String user, @JsonProperty("role") Role role, @JsonProperty("hash") String hash) {
    /** 1 to 64 letters, digits, '.', '_', '-' or '@': a name that is safe in a log line and an audit record. */
    public static final String USER_PATTERN = "[A-Za-z0-9._@-]{1,64}";

    public Account {
        if (user == null || !user.matches(USER_PATTERN)) {
            throw new IllegalArgumentException("user name must be 1 to 64 letters, digits, '.', '_', '-' or '@'");
        }
        if (role == null) throw new IllegalArgumentException("an account needs a role (admin or viewer)");
        if (hash == null || !hash.startsWith("$argon2id$")) throw new IllegalArgumentException("account " + user + " has no Argon2id hash");
    }
}
