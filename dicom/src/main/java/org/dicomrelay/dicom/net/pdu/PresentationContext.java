package org.dicomrelay.dicom.net.pdu;

import java.util.List;

/**
 * A presentation context (PS3.8 §9.3.2.2 and §9.3.3.2). In a request: ID, abstract syntax and the
 * proposed transfer syntaxes. In an acceptance: ID, result and the one accepted transfer syntax
 * (absent in a rejected context, as some peers send it).
 */
public record PresentationContext(int id, int result, String abstractSyntax, List<String> transferSyntaxes) {
    public static final int ACCEPTANCE = 0;
    public static final int USER_REJECTION = 1;
    public static final int NO_REASON = 2;
    public static final int ABSTRACT_SYNTAX_NOT_SUPPORTED = 3;
    public static final int TRANSFER_SYNTAXES_NOT_SUPPORTED = 4;

    public PresentationContext {
        transferSyntaxes = List.copyOf(transferSyntaxes);
    }

    public static PresentationContext rq(int id, String abstractSyntax, String... transferSyntaxes) {
        return new PresentationContext(id, 0, abstractSyntax, List.of(transferSyntaxes));
    }

    public static PresentationContext ac(int id, int result, String transferSyntax) {
        return new PresentationContext(id, result, null, transferSyntax == null ? List.of() : List.of(transferSyntax));
    }

    public boolean accepted() { return result == ACCEPTANCE; }

    /** The accepted transfer syntax of an AC context, or null. */
    public String transferSyntax() { return transferSyntaxes.isEmpty() ? null : transferSyntaxes.get(0); }

    public static String resultText(int result) {
        return switch (result) {
            case ACCEPTANCE -> "acceptance";
            case USER_REJECTION -> "user-rejection";
            case NO_REASON -> "no-reason (provider rejection)";
            case ABSTRACT_SYNTAX_NOT_SUPPORTED -> "abstract-syntax-not-supported";
            case TRANSFER_SYNTAXES_NOT_SUPPORTED -> "transfer-syntaxes-not-supported";
            default -> "result " + result;
        };
    }
}
