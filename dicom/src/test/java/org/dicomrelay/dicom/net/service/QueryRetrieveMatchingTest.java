package org.dicomrelay.dicom.net.service;

import org.dicomrelay.dicom.data.VR;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The attribute matching of PS3.4 §C.2.2.2 as {@link KeyMatcher} performs it, one kind of matching at a time. */
class QueryRetrieveMatchingTest {
    private static final int NAME = 0x00100010, ID = 0x00100020, DATE = 0x00080020, TIME = 0x00080030, DT = 0x0008002A,
            UID = 0x0020000D, NUMBER = 0x00200013, TYPE = 0x00080008;

    private static boolean match(int tag, VR vr, String key, String... record) throws Exception {
        return KeyMatcher.parse(tag, vr, key.isEmpty() ? new String[0] : key.split("\\\\", -1), false).matches(record);
    }

    @Test void c2223UniversalMatchingByZeroLengthOrAStar() throws Exception {
        assertThat(match(NAME, VR.PN, "", "Anyone")).isTrue();
        assertThat(match(NAME, VR.PN, "*", "Anyone")).isTrue();
        assertThat(match(UID, VR.UI, "*", "1.2.3")).as("'*' is universal for UIDs too (our choice)").isTrue();
    }

    @Test void c2221SingleValueMatchingIsExactAndCaseSensitive() throws Exception {
        assertThat(match(ID, VR.LO, "ABC", "ABC")).isTrue();
        assertThat(match(ID, VR.LO, "ABC", "abc")).isFalse();
        assertThat(match(ID, VR.LO, "ABC", "ABCD")).isFalse();
        assertThat(match(NAME, VR.PN, "Doe^John", "DOE^JOHN")).as("PN too: the standard allows either, we are case-sensitive").isFalse();
        assertThat(match(NUMBER, VR.IS, "1", "01")).as("numbers by value").isTrue();
        assertThat(match(NUMBER, VR.IS, "1", "2")).isFalse();
    }

    @Test void c2224WildCards() throws Exception {
        assertThat(match(NAME, VR.PN, "Do*", "Doe^John")).isTrue();
        assertThat(match(NAME, VR.PN, "D?e*", "Doe^John")).isTrue();
        assertThat(match(NAME, VR.PN, "D?e", "Doe^John")).isFalse();
        assertThat(match(NAME, VR.PN, "*ohn", "Doe^John")).isTrue();
        assertThat(match(ID, VR.LO, "a.b*", "axb")).as("regex characters are literal").isFalse();
        assertThat(match(ID, VR.LO, "a.b*", "a.bc")).isTrue();
        assertThat(match(ID, VR.LO, "x*", "X1")).isFalse();
    }

    @Test void c2222ListOfUids() throws Exception {
        assertThat(match(UID, VR.UI, "1.2.3\\1.2.4", "1.2.4")).isTrue();
        assertThat(match(UID, VR.UI, "1.2.3\\1.2.4", "1.2.5")).isFalse();
        assertThat(match(UID, VR.UI, "1.2", "1.2.3")).as("no prefix matching of UIDs").isFalse();
    }

    @Test void c22251DateRanges() throws Exception {
        assertThat(match(DATE, VR.DA, "20200101-20201231", "20200101")).isTrue();
        assertThat(match(DATE, VR.DA, "20200101-20201231", "20201231")).isTrue();
        assertThat(match(DATE, VR.DA, "20200101-20201231", "20210101")).isFalse();
        assertThat(match(DATE, VR.DA, "-20201231", "19991231")).isTrue();
        assertThat(match(DATE, VR.DA, "20200101-", "20191231")).isFalse();
        assertThat(match(DATE, VR.DA, "20200101", "2020.01.01")).as("ACR-NEMA date format by meaning").isTrue();
        assertThatThrownBy(() -> match(DATE, VR.DA, "2020-01-01", "20200101")).isInstanceOf(KeyMatcher.InvalidKeyException.class);
    }

    @Test void c22252TimesByMeaningTheKeySpanningItsPrecision() throws Exception {
        assertThat(match(TIME, VR.TM, "2230", "223000")).as("PS3.4 §C.2.2.2.1.3 note: TM 2230 matches 223000").isTrue();
        assertThat(match(TIME, VR.TM, "2230", "223059.999")).isTrue();
        assertThat(match(TIME, VR.TM, "2230", "2231")).isFalse();
        assertThat(match(TIME, VR.TM, "1000-1200", "095959")).isFalse();
        assertThat(match(TIME, VR.TM, "1000-1200", "12")).isTrue();
        assertThat(match(TIME, VR.TM, "1000-1200", "1201")).isFalse();
        assertThat(match(TIME, VR.TM, "-10:00", "09:30")).as("ACR-NEMA time format").isTrue();
    }

    @Test void c22253DateTimeRangesWithUtcOffsets() throws Exception {
        assertThat(match(DT, VR.DT, "20200101120000-0500-20200102", "20200101130000")).isTrue();
        assertThat(match(DT, VR.DT, "20200101120000-0500-20200102", "20200103")).isFalse();
        assertThat(match(DT, VR.DT, "2020-2021", "20211231235959.5")).isTrue();
        assertThat(match(DT, VR.DT, "2020-", "20191231")).isFalse();
    }

    @Test void c22211PersonNameComponentGroups() throws Exception {
        String name = "Yamada^Tarou=山田^太郎=やまだ^たろう";
        assertThat(match(NAME, VR.PN, "Yamada^Tarou", name)).isTrue();
        assertThat(match(NAME, VR.PN, "山田^太郎", name)).isTrue();
        assertThat(match(NAME, VR.PN, "やまだ*", name)).isTrue();
        assertThat(match(NAME, VR.PN, "Yamada^Tarou=山田^太郎=やまだ^たろう", name)).isTrue();
        assertThat(match(NAME, VR.PN, "Yamada^Tarou=*", name)).isTrue();
        assertThat(match(NAME, VR.PN, "Yamada^Tarou=山田^花子", name)).isFalse();
        assertThat(match(NAME, VR.PN, "Doe^John", "Doe^John^^^")).as("trailing empty components are not significant").isTrue();
    }

    @Test void c2223MultipleValuesMatchWhenAnyMatches() throws Exception {
        assertThat(match(TYPE, VR.CS, "PRIMARY", "ORIGINAL", "PRIMARY", "AXIAL")).isTrue();
        assertThat(match(TYPE, VR.CS, "LOCALIZER", "ORIGINAL", "PRIMARY", "AXIAL")).isFalse();
        assertThat(match(0x00080061, VR.CS, "CT\\MR", "MR", "PR")).isTrue();
    }

    @Test void c22112AnEntityWithoutAValueMatchesButNeverForAUniqueKey() throws Exception {
        assertThat(match(DATE, VR.DA, "20200101", "")).isTrue();
        assertThat(match(NAME, VR.PN, "Doe*")).isTrue();
        assertThat(KeyMatcher.parse(UID, VR.UI, new String[] {"1.2.3"}, true).matches(new String[0])).isFalse();
    }
}
