package org.dicomrelay.cli;

import org.dicomrelay.dicom.io.DicomFile;
import org.dicomrelay.dicom.json.DicomJsonWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Prints DICOM files as DCMTK's dcmdump does, or as DICOM JSON (PS3.18 Annex F) as dcm2json does.
 * A file that cannot be read is reported on stderr and the others are still printed; the exit code
 * is then 1.
 */
@Command(name = "dump", mixinStandardHelpOptions = true,
        description = "Print DICOM files, in dcmdump's format or as DICOM JSON.")
final class DumpCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "DICOM files (PS3.10, or bare data sets).")
    private List<Path> files;

    @Option(names = "--json", description = "Print the data set as DICOM JSON (PS3.18 Annex F) instead.")
    private boolean json;

    @Option(names = "--compact", description = "With --json: no indentation or line breaks.")
    private boolean compact;

    @Spec
    private CommandSpec spec;

    @Override public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int failures = 0;
        for (int i = 0; i < files.size(); i++) {
            Path file = files.get(i);
            try {
                DicomFile f = DicomFile.read(file);
                if (json) {
                    new DicomJsonWriter().pretty(!compact).write(f.dataSet(), out);
                    out.println();
                } else {
                    if (files.size() > 1) out.printf("# dicom-relay dump (%d/%d): %s%n", i + 1, files.size(), file);
                    new DcmdumpPrinter(out).print(f);
                }
            } catch (IOException | RuntimeException e) {
                failures++;
                out.flush();
                err.println("dicom-relay dump: " + file + ": " + describe(e));
            }
            out.flush();
        }
        return failures == 0 ? 0 : 1;
    }

    private static String describe(Exception e) {
        if (e instanceof NoSuchFileException) return "no such file";
        if (e instanceof AccessDeniedException) return "permission denied";
        if (e instanceof UncheckedIOException u) return describe(u.getCause());
        // A parse error's message carries the offset; anything else is a bug worth naming in full.
        if (e instanceof IOException && e.getMessage() != null) return e.getMessage();
        return e.toString();
    }
}
