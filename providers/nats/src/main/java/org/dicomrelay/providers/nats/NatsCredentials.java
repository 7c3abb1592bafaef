package org.dicomrelay.providers.nats;

import io.nats.client.AuthHandler;
import io.nats.client.NKey;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * How a router signs in to NATS: user and password, a token, an nkey seed or a creds file (JWT and
 * seed), from router.yaml or else the environment; never from the Bridge (they are the provider's
 * secret settings). {@link #toString} names the kind only.
 */
public record NatsCredentials(Kind kind, String user, char[] secret, Path credsFile) {
    public static final String USER = "nats.user";
    public static final String PASSWORD = "nats.password";
    public static final String TOKEN = "nats.token";
    public static final String NKEY_SEED = "nats.nkeySeed";
    public static final String CREDS_FILE = "nats.credsFile";

    public enum Kind { NONE, USER_PASSWORD, TOKEN, NKEY, CREDS_FILE }

    static NatsCredentials of(Map<String, String> s, UnaryOperator<String> env) {
        String user = pick(s, USER, env, "NATS_USER"), password = pick(s, PASSWORD, env, "NATS_PASSWORD");
        String token = pick(s, TOKEN, env, "NATS_TOKEN"), seed = pick(s, NKEY_SEED, env, "NATS_NKEY_SEED");
        String creds = pick(s, CREDS_FILE, env, "NATS_CREDS");
        int given = (user != null || password != null ? 1 : 0) + (token != null ? 1 : 0) + (seed != null ? 1 : 0) + (creds != null ? 1 : 0);
        if (given > 1) {
            throw new IllegalArgumentException("NATS credentials: give one of " + USER + "/" + PASSWORD + ", " + TOKEN + ", " + NKEY_SEED + " or "
                    + CREDS_FILE + " (in router.yaml or the environment), not several");
        }
        if (user != null || password != null) {
            if (user == null || password == null) throw new IllegalArgumentException("NATS credentials: " + USER + " and " + PASSWORD + " go together");
            return new NatsCredentials(Kind.USER_PASSWORD, user, password.toCharArray(), null);
        }
        if (token != null) return new NatsCredentials(Kind.TOKEN, null, token.toCharArray(), null);
        if (seed != null) return new NatsCredentials(Kind.NKEY, null, seed.toCharArray(), null);
        if (creds != null) return new NatsCredentials(Kind.CREDS_FILE, null, null, Path.of(creds));
        return new NatsCredentials(Kind.NONE, null, null, null);
    }

    private static String pick(Map<String, String> s, String key, UnaryOperator<String> env, String variable) {
        String v = NatsSettings.blankToNull(s.get(key));
        return v != null ? v : NatsSettings.blankToNull(env.apply(variable));
    }

    void applyTo(Options.Builder options) throws IOException {
        switch (kind) {
            case USER_PASSWORD -> options.userInfo(user.toCharArray(), secret.clone());
            case TOKEN -> options.token(secret.clone());
            case NKEY -> options.authHandler(nkey(secret));
            case CREDS_FILE -> {
                if (!Files.isReadable(credsFile)) throw new IOException("NATS creds file " + credsFile + " (" + CREDS_FILE + ") cannot be read");
                options.authHandler(Nats.credentials(credsFile.toString()));
            }
            case NONE -> { }
        }
    }

    /** Signs the server's nonce with the nkey (jnats's NKey: Ed25519, not our own crypto). */
    private static AuthHandler nkey(char[] seed) {
        NKey key;
        try {
            key = NKey.fromSeed(seed.clone());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("NATS credentials: " + NKEY_SEED + " is not an nkey seed"); // the seed itself is never repeated
        }
        return new AuthHandler() {
            @Override
            public byte[] sign(byte[] nonce) {
                try {
                    return key.sign(nonce);
                } catch (GeneralSecurityException | IOException e) {
                    throw new IllegalStateException("NATS nkey signature failed: " + e.getClass().getSimpleName(), e);
                }
            }

            @Override
            public char[] getID() {
                try {
                    return key.getPublicKey();
                } catch (GeneralSecurityException | IOException e) {
                    throw new IllegalStateException("NATS nkey public key: " + e.getClass().getSimpleName(), e);
                }
            }

            @Override
            public char[] getJWT() {
                return null;
            }
        };
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NatsCredentials c && c.kind == kind && java.util.Objects.equals(c.user, user)
                && java.util.Arrays.equals(c.secret, secret) && java.util.Objects.equals(c.credsFile, credsFile);
    }

    @Override
    public int hashCode() {
        return kind.hashCode();
    }
}
