package org.dicomrelay.dicom.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dicomrelay.dicom.data.VR.*;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.List;
import org.junit.jupiter.api.Test;

class ElementDictionaryTest {
    private final ElementDictionary dict = ElementDictionary.standard();

    @Test
    void holdsTheWholeRegistryOfPs36() {
        assertThat(dict.size()).isGreaterThan(4000);
        assertThat(ElementDictionary.standard()).isSameAs(dict);
    }

    @Test
    void entryCarriesVrVmKeywordNameAndRetirement() {
        assertThat(dict.entry(0x00100010))
                .isEqualTo(new ElementDictionary.Entry(0x00100010, List.of(PN), "1", "PatientName", "Patient Name", false));
        ElementDictionary.Entry charset = dict.entry(0x00080005);
        assertThat(charset.keyword()).isEqualTo("SpecificCharacterSet");
        assertThat(charset.vr()).isEqualTo(CS);
        assertThat(charset.vm()).isEqualTo("1-n");
        assertThat(dict.entry(0x00080008).vm()).isEqualTo("2-n");
    }

    @Test
    void retiredEntriesAreFlaggedAndKeepTheirKeyword() {
        ElementDictionary.Entry e = dict.entry(0x00000001);
        assertThat(e.keyword()).isEqualTo("CommandLengthToEnd");
        assertThat(e.retired()).isTrue();
        assertThat(dict.tagOf("CommandLengthToEnd")).isEqualTo(0x00000001);
        assertThat(dict.entry(0x00080018).retired()).isFalse();
    }

    @Test
    void namesAreDerivedFromKeywordsKeepingAcronymsAndDigits() {
        assertThat(dict.entry(0x00080018).name()).isEqualTo("SOP Instance UID");
        assertThat(dict.entry(0x30060012).name()).isEqualTo("RT Referenced Study Sequence");
        assertThat(dict.entry(0x00180013).name()).isEqualTo("Contrast Bolus T1 Relaxivity");
        assertThat(dict.entry(0x00189507).name()).isEqualTo("X Ray 3D Acquisition Sequence");
        assertThat(dict.entry(0x00280008).name()).isEqualTo("Number of Frames");
    }

    @Test
    void repeatingGroup60xxMatchesEveryOverlayGroup_PS3_5_7_6() {
        ElementDictionary.Entry e = dict.entry(0x60023000);
        assertThat(e.tag()).isEqualTo(0x60023000);
        assertThat(e.keyword()).isEqualTo("OverlayData");
        assertThat(e.vrs()).containsExactly(OB, OW);
        assertThat(dict.keywordOf(0x601E0010)).isEqualTo("OverlayRows");
        assertThat(dict.tagOf("OverlayData")).isEqualTo(0x60003000);
        assertThat(dict.entry(0x50FE3000).keyword()).isEqualTo("CurveData");
    }

    @Test
    void repeatingGroupsAreEven_oddGroupIsPrivate_PS3_5_7_8() {
        assertThat(dict.entry(0x60013000)).isNull();
        assertThat(dict.vrOf(0x60013000)).isEqualTo(UN);
    }

    @Test
    void elementRange0020_31xxIsSourceImageIDs() {
        for (int tag : new int[] {0x00203100, 0x00203101, 0x002031FF}) {
            ElementDictionary.Entry e = dict.entry(tag);
            assertThat(e.keyword()).isEqualTo("SourceImageIDs");
            assertThat(e.vr()).isEqualTo(CS);
            assertThat(e.retired()).isTrue();
        }
        assertThat(dict.tagOf("SourceImageIDs")).isEqualTo(0x00203100);
        assertThat(dict.entry(0x00203200)).isNull();
    }

    @Test
    void implicitVrOfOBorOWIsOW_PS3_5_A_1() {
        ElementDictionary.Entry pixelData = dict.entry(Tag.PixelData);
        assertThat(pixelData.vrs()).containsExactly(OB, OW);
        assertThat(pixelData.vr()).isEqualTo(OB);
        assertThat(dict.vrOf(Tag.PixelData)).isEqualTo(OW);
        assertThat(dict.vrOf(0x60003000)).isEqualTo(OW);   // Overlay Data
        assertThat(dict.vrOf(0x54001010)).isEqualTo(OW);   // Waveform Data
        assertThat(dict.vrOf(0x7F000010)).isEqualTo(OW);   // Variable Pixel Data (retired)
    }

    @Test
    void implicitVrOfUSorSSIsUS() {
        assertThat(dict.entry(0x00283002).vrs()).containsExactly(US, SS);
        assertThat(dict.vrOf(0x00283002)).isEqualTo(US);   // LUT Descriptor
        assertThat(dict.vrOf(0x00280120)).isEqualTo(US);   // Pixel Padding Value
    }

    @Test
    void implicitVrOfLutDataIsOW() {
        assertThat(dict.entry(0x00283006).vrs()).containsExactly(US, OW);
        assertThat(dict.vrOf(0x00283006)).isEqualTo(OW);
        assertThat(dict.entry(0x00281200).vrs()).containsExactly(US, SS, OW);
        assertThat(dict.vrOf(0x00281200)).isEqualTo(OW);
    }

    @Test
    void directoryOffsetsAreUL() {
        assertThat(dict.vrOf(0x00041400)).isEqualTo(UL);
        assertThat(dict.entry(0x00041400).vrs()).containsExactly(UL);
    }

    @Test
    void itemsAndDelimitersHaveNoVr_PS3_5_7_5() {
        ElementDictionary.Entry item = dict.entry(Tag.Item);
        assertThat(item.keyword()).isEqualTo("Item");
        assertThat(item.vrs()).isEmpty();
        assertThat(item.vr()).isEqualTo(UN);
        assertThat(dict.vrOf(Tag.SequenceDelimitationItem)).isEqualTo(UN);
    }

    @Test
    void keywordToTagAndBack() {
        assertThat(dict.tagOf("SOPInstanceUID")).isEqualTo(0x00080018);
        assertThat(dict.tagOf("PixelData")).isEqualTo(Tag.PixelData);
        assertThat(dict.tagOf("NoSuchKeyword")).isEqualTo(-1);
        assertThat(dict.keywordOf(0x00080018)).isEqualTo("SOPInstanceUID");
    }

    @Test
    void tagConstantsAgreeWithTheDictionary() throws IllegalAccessException {
        for (Field f : Tag.class.getFields()) {
            if (f.getType() == int.class && Modifier.isStatic(f.getModifiers())) {
                int tag = f.getInt(null);
                assertThat(dict.keywordOf(tag)).as(Tag.toString(tag)).isEqualTo(f.getName());
                assertThat(dict.tagOf(f.getName())).isEqualTo(tag);
            }
        }
    }

    @Test
    void unknownStandardTagIsNullAndReadsAsUN_PS3_5_6_2_2() {
        assertThat(dict.entry(0x00089999)).isNull();
        assertThat(dict.vrOf(0x00089999)).isEqualTo(UN);
        assertThat(dict.keywordOf(0x00089999)).isEmpty();
    }

    @Test
    void groupLengthOfAnyGroupIsUL_PS3_5_7_2() {
        assertThat(dict.entry(0x00000000).keyword()).isEqualTo("CommandGroupLength");
        assertThat(dict.entry(0x00020000).keyword()).isEqualTo("FileMetaInformationGroupLength");
        ElementDictionary.Entry e = dict.entry(0x00080000);
        assertThat(e.tag()).isEqualTo(0x00080000);
        assertThat(e.keyword()).isEqualTo("GroupLength");
        assertThat(e.vr()).isEqualTo(UL);
        assertThat(e.retired()).as("retired outside groups 0000 and 0002").isTrue();
        assertThat(dict.vrOf(0x00090000)).isEqualTo(UL);
        assertThat(dict.vrOf(0x60020000)).isEqualTo(UL);
    }

    @Test
    void privateCreatorIsLO_PS3_5_7_8_1() {
        for (int tag : new int[] {0x00090010, 0x001900FF, 0x7FE10010}) {
            ElementDictionary.Entry e = dict.entry(tag);
            assertThat(e.tag()).isEqualTo(tag);
            assertThat(e.keyword()).isEqualTo("PrivateCreator");
            assertThat(e.vr()).isEqualTo(LO);
            assertThat(e.vm()).isEqualTo("1");
        }
    }

    @Test
    void otherPrivateElementsAreUnknown_PS3_5_7_8_1() {
        assertThat(dict.entry(0x00091010)).isNull();
        assertThat(dict.vrOf(0x00091010)).isEqualTo(UN);
        assertThat(dict.entry(0x00090001)).as("below the creator block").isNull();
        assertThat(dict.entry(0x00090100)).as("above the creator block").isNull();
    }

    @Test
    void groups0001To0007AndFFFFHaveNoPrivateCreators_PS3_5_7_8_1() {
        assertThat(dict.entry(0x00010010)).isNull();
        assertThat(dict.entry(0x00070010)).isNull();
        assertThat(dict.entry(0xFFFF0010)).isNull();
    }
}
