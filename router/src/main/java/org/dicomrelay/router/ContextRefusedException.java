package org.dicomrelay.router;

import java.io.IOException;

/**
 * The device accepted the association but no presentation context that can carry the object
 * (PS3.8 §9.3.3.2: abstract or transfer syntax not supported): a refusal of this SOP class that
 * a retry would only repeat.
 */
final class ContextRefusedException extends IOException {
    ContextRefusedException(String sopClassUid, String transferSyntax) {
        super("accepts no presentation context for SOP class " + sopClassUid + " in " + transferSyntax);
    }
}
