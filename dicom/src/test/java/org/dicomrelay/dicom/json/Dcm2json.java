package org.dicomrelay.dicom.json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.fail;

/** Runs DCMTK's dcm2json, the reference our JSON is compared with. */
final class Dcm2json {
    private Dcm2json() {}

    record Result(int exitCode, byte[] json, String stderr) {
        boolean ok() { return exitCode == 0; }
    }

    static Result run(Path input, List<String> options) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add("dcm2json");
        cmd.addAll(options);
        cmd.add(input.toString());
        Path out = Files.createTempFile("dcm2json", ".json");
        Path err = Files.createTempFile("dcm2json", ".err");
        try {
            Process p;
            try {
                p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            } catch (IOException e) {
                return fail("dcm2json (DCMTK) is not installed: run scripts/test, which installs dcmtk (" + e.getMessage() + ")");
            }
            int exit = p.waitFor();
            return new Result(exit, Files.readAllBytes(out), Files.readString(err, StandardCharsets.ISO_8859_1));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
