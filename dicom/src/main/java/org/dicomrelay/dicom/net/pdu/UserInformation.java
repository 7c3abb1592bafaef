package org.dicomrelay.dicom.net.pdu;

import java.util.List;

/**
 * User information item (PS3.8 §9.3.2.3, PS3.7 Annex D.3.3). Maximum length 0 means unlimited;
 * an absent asynchronous operations window means 1/1 and is held here as null.
 */
public record UserInformation(long maxLength, String implementationClassUid, String implementationVersionName,
                              int[] asyncOperationsWindow, List<RoleSelection> roleSelections,
                              List<ExtendedNegotiation> extendedNegotiations,
                              List<CommonExtendedNegotiation> commonExtendedNegotiations,
                              UserIdentity userIdentity) {

    public UserInformation {
        roleSelections = List.copyOf(roleSelections);
        extendedNegotiations = List.copyOf(extendedNegotiations);
        commonExtendedNegotiations = List.copyOf(commonExtendedNegotiations);
    }

    public static UserInformation of(long maxLength, String implementationClassUid, String implementationVersionName) {
        return new UserInformation(maxLength, implementationClassUid, implementationVersionName, null,
                List.of(), List.of(), List.of(), null);
    }

    public UserInformation withRoleSelections(List<RoleSelection> roles) {
        return new UserInformation(maxLength, implementationClassUid, implementationVersionName, asyncOperationsWindow,
                roles, extendedNegotiations, commonExtendedNegotiations, userIdentity);
    }

    public UserInformation withUserIdentity(UserIdentity identity) {
        return new UserInformation(maxLength, implementationClassUid, implementationVersionName, asyncOperationsWindow,
                roleSelections, extendedNegotiations, commonExtendedNegotiations, identity);
    }

    public UserInformation withAsyncOperationsWindow(int invoked, int performed) {
        return new UserInformation(maxLength, implementationClassUid, implementationVersionName, new int[] {invoked, performed},
                roleSelections, extendedNegotiations, commonExtendedNegotiations, userIdentity);
    }

    public UserInformation withExtendedNegotiations(List<ExtendedNegotiation> ext, List<CommonExtendedNegotiation> common) {
        return new UserInformation(maxLength, implementationClassUid, implementationVersionName, asyncOperationsWindow,
                roleSelections, ext, common, userIdentity);
    }

    public RoleSelection roleSelection(String sopClassUid) {
        return roleSelections.stream().filter(r -> r.sopClassUid().equals(sopClassUid)).findFirst().orElse(null);
    }
}
