package org.dicomrelay.console;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** What a console user may do: an admin changes things; a viewer only reads (every change refused 403, and hidden in the page). */
public enum Role {
    ADMIN, VIEWER;

    @JsonValue public String text() { return name().toLowerCase(Locale.ROOT); }

    @JsonCreator public static Role parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("role must be admin or viewer: '" + s + "'");
        }
    }

    public boolean mayChange() { return this == ADMIN; }
}
