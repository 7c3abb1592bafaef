package org.dicomrelay.console;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.javalin.http.Context;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/** Signing in and out: the throttle first, then the password, then a fresh session and its cookie. */
final class SignIn {
    private static final System.Logger LOG = System.getLogger(SignIn.class.getName());

    /** The sign-in form; toString never shows the password. */
    record Form(@JsonProperty("user") String user, @JsonProperty("password") String password) {
        @Override public String toString() { return "sign-in of " + user; }
    }

    private final Accounts accounts;
    private final SessionStore sessions;
    private final SignInThrottle throttle;
    private final AuditLog audit;

    SignIn(Accounts accounts, SessionStore sessions, SignInThrottle throttle, AuditLog audit) {
        this.accounts = accounts;
        this.sessions = sessions;
        this.throttle = throttle;
        this.audit = audit;
    }

    void signIn(Context ctx) {
        // A cross-site form cannot send JSON without a CORS preflight, which this server never grants: no login CSRF.
        String type = ctx.contentType();
        if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            throw new ConsoleException(415, "sign in with a JSON body (Content-Type: application/json)", null);
        }
        Form f = ctx.bodyAsClass(Form.class);
        String user = f.user() == null ? "" : f.user().trim();
        String address = ctx.ip();
        String shown = AuditLog.clean(user.length() > 64 ? user.substring(0, 64) + "…" : user);
        Optional<Instant> locked = throttle.lockedUntil(user, address);
        if (locked.isPresent()) {
            long seconds = Math.max(1, Duration.between(Instant.now(), locked.get()).toSeconds());
            LOG.log(System.Logger.Level.WARNING, "console: sign-in of " + shown + " from " + address + " refused: locked after "
                    + SignInThrottle.MAX_FAILURES + " failures until " + locked.get().truncatedTo(ChronoUnit.SECONDS));
            ctx.header("Retry-After", Long.toString(seconds));
            throw new ConsoleException(429, "too many failed sign-ins: try again in " + seconds + " s", "password");
        }
        char[] password = f.password() == null ? new char[0] : f.password().toCharArray();
        Optional<Account> a;
        try {
            a = accounts.authenticate(user, password);
        } finally {
            Arrays.fill(password, '\0');
        }
        if (a.isEmpty()) {
            throttle.failed(user, address);
            LOG.log(System.Logger.Level.WARNING, "console: sign-in of " + shown + " from " + address + " refused: wrong user name or password");
            throw new ConsoleException(401, "wrong user name or password", "password");
        }
        throttle.succeeded(user, address);
        ConsoleSession s = sessions.open(a.get());
        ConsoleServer.setCookie(ctx, s.id(), SessionStore.MAXIMUM);
        audit.record(s.user(), "sign-in", address, "ok");
        ctx.json(Map.of("user", s.user(), "role", s.role(), "csrfToken", s.csrfToken()));
    }

    void signOut(Context ctx) {
        ConsoleSession s = ctx.attribute(ConsoleServer.SESSION_ATTRIBUTE);
        sessions.close(s.id());
        ConsoleServer.setCookie(ctx, "", Duration.ZERO);
        audit.record(s.user(), "sign-out", ctx.ip(), "ok");
        ctx.status(204);
    }
}
