package org.dicomrelay.dicom.data;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UidDictionaryTest {

    @Test
    void holdsTheRegistryOfPs36AnnexA() {
        assertThat(UidDictionary.size()).isGreaterThan(400);
    }

    @Test
    void transferSyntaxes() {
        assertThat(UidDictionary.nameOf("1.2.840.10008.1.2")).isEqualTo("Implicit VR Little Endian");
        assertThat(UidDictionary.nameOf("1.2.840.10008.1.2.1")).isEqualTo("Explicit VR Little Endian");
        assertThat(UidDictionary.keywordOf("1.2.840.10008.1.2.1")).isEqualTo("ExplicitVRLittleEndian");
        assertThat(UidDictionary.typeOf("1.2.840.10008.1.2.1")).isEqualTo("Transfer Syntax");
        assertThat(UidDictionary.isRetired("1.2.840.10008.1.2.2")).as("Explicit VR Big Endian").isTrue();
        assertThat(UidDictionary.isRetired("1.2.840.10008.1.2.1")).isFalse();
    }

    @Test
    void sopClasses() {
        assertThat(UidDictionary.keywordOf("1.2.840.10008.5.1.4.1.1.2")).isEqualTo("CTImageStorage");
        assertThat(UidDictionary.nameOf("1.2.840.10008.5.1.4.1.1.2")).isEqualTo("CT Image Storage");
        assertThat(UidDictionary.uidOf("CTImageStorage")).isEqualTo("1.2.840.10008.5.1.4.1.1.2");
        assertThat(UidDictionary.nameOf("1.2.840.10008.1.1")).isEqualTo("Verification SOP Class");
        assertThat(UidDictionary.typeOf("1.2.840.10008.1.1")).isEqualTo("SOP Class");
    }

    @Test
    void wellKnownFrameOfReferenceAndCodingScheme() {
        assertThat(UidDictionary.keywordOf("1.2.840.10008.1.4.1.1")).isEqualTo("TalairachBrainAtlas");
        assertThat(UidDictionary.typeOf("1.2.840.10008.1.4.1.1")).isEqualTo("Well-known frame of reference");
        assertThat(UidDictionary.nameOf("1.2.840.10008.2.16.4")).isEqualTo("DICOM Controlled Terminology");
        assertThat(UidDictionary.typeOf("1.2.840.10008.2.16.4")).isEqualTo("Coding Scheme");
    }

    @Test
    void unknownUidsAndKeywordsGiveEmptyString() {
        assertThat(UidDictionary.nameOf("1.2.3.4")).isEmpty();
        assertThat(UidDictionary.keywordOf("1.2.3.4")).isEmpty();
        assertThat(UidDictionary.uidOf("NoSuchKeyword")).isEmpty();
        assertThat(UidDictionary.nameOf(null)).isEmpty();
        assertThat(UidDictionary.typeOf("1.2.3.4")).isEmpty();
        assertThat(UidDictionary.isRetired("1.2.3.4")).isFalse();
    }
}
