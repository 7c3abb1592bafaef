package org.dicomrelay.dicom.io;

import org.dicomrelay.dicom.Samples;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

class CorpusProbe {
    @Test void probe() throws Exception {
        for (Path p : Samples.allDcm()) {
            String name = Samples.root().relativize(p).toString();
            try {
                DicomFile f = DicomFile.read(p);
                long start;
                try (InputStream in = Files.newInputStream(p); DicomInputStream din = new DicomInputStream(in, Files.size(p))) { start = din.dataSetStart(); }
                byte[] all = Files.readAllBytes(p);
                byte[] orig = Arrays.copyOfRange(all, (int) start, all.length);
                ByteArrayOutputStream bos = new ByteArrayOutputStream();
                DicomFile.write(bos, null, f.dataSet(), f.transferSyntax());
                byte[] out = bos.toByteArray();
                if (f.transferSyntax().deflated()) {
                    orig = new java.util.zip.InflaterInputStream(new java.io.ByteArrayInputStream(orig), new java.util.zip.Inflater(true)).readAllBytes();
                    out = new java.util.zip.InflaterInputStream(new java.io.ByteArrayInputStream(out), new java.util.zip.Inflater(true)).readAllBytes();
                }
                int mism = Arrays.mismatch(orig, out);
                System.out.println((mism < 0 ? "SAME " : "DIFF@" + mism + " len " + orig.length + "/" + out.length + " ") + name + " " + f.transferSyntax().name());
            } catch (Exception e) {
                System.out.println("FAIL " + name + ": " + e);
            }
        }
    }
}
