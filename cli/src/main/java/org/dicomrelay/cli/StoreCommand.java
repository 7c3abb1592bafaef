package org.dicomrelay.cli;

import org.dicomrelay.dicom.net.DimseResponse;
import org.dicomrelay.dicom.net.service.StorageSource;
import org.dicomrelay.dicom.net.service.StoreScu;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * C-STORE of files and folders, like storescu: every object is offered in its own transfer syntax
 * so that it arrives unchanged; as many associations as 128 contexts each allow.
 */
@Command(name = "store", description = "Send DICOM files (folders recursively) with C-STORE.")
public final class StoreCommand implements java.util.concurrent.Callable<Integer> {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin ConnectionOptions conn;

    @Parameters(arity = "1..*", paramLabel = "FILE|DIR", description = "files or folders to send")
    List<Path> inputs;

    @Override public Integer call() {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        List<StorageSource> sources = new ArrayList<>();
        int failed = 0, warnings = 0, stored = 0;
        List<Path> files = files();
        for (Path p : files) {
            try {
                sources.add(StorageSource.probe(p, true));
            } catch (IOException e) {
                err.println("skipped " + p + ": " + e.getMessage());
                failed++;
            }
        }
        long totalBytes = sources.stream().mapToLong(s -> size(s.file())).sum();
        Progress progress = new Progress(sources.size(), totalBytes, System.console() != null, err);
        int i = 0;
        while (i < sources.size()) {
            // One association per batch of objects whose contexts fit in 128.
            List<StorageSource> batch = new ArrayList<>();
            Set<StoreScu.Need> needs = new LinkedHashSet<>();
            while (i < sources.size()) {
                StorageSource s = sources.get(i);
                Set<StoreScu.Need> more = new LinkedHashSet<>(needs);
                more.add(new StoreScu.Need(s.sopClassUid(), s.transferSyntax().uid()));
                if (StoreScu.contextCount(more) > 128 && !batch.isEmpty()) break;
                needs = more;
                batch.add(s);
                i++;
            }
            try (StoreScu scu = StoreScu.open(conn.peer.host(), conn.peer.port(), conn.peer.aeTitle(), conn.callingAe, needs, conn.options())) {
                for (StorageSource s : batch) {
                    try {
                        DimseResponse rsp = scu.store(s);
                        int st = rsp.status();
                        if (st == 0) {
                            stored++;
                        } else if ((st & 0xF000) == 0xB000 || st == 0x0001 || st == 0x0107 || st == 0x0116) {
                            stored++;
                            warnings++;
                            progress.note("warning for " + s.file() + ": " + StatusText.of(rsp.command(), 0x8001));
                        } else {
                            failed++;
                            progress.note("failed " + s.file() + ": " + StatusText.of(rsp.command(), 0x8001));
                        }
                    } catch (IOException e) {
                        failed++;
                        progress.note("failed " + s.file() + ": " + e.getMessage());
                        if (scu.association().isEnded()) break;
                    }
                    progress.advance(size(s.file()));
                }
            } catch (IOException e) {
                err.println("cannot store to " + conn.peer + ": " + e.getMessage());
                failed += batch.size();
            }
        }
        progress.done();
        out.printf("stored %d of %d objects (%s) to %s in %.1f s, %.1f MB/s%s%s%n", stored, files.size(),
                Progress.mb(totalBytes), conn.peer, progress.seconds(), progress.mbPerSecond(),
                warnings > 0 ? ", " + warnings + " with warnings" : "", failed > 0 ? ", " + failed + " FAILED" : "");
        return failed == 0 ? 0 : 1;
    }

    private List<Path> files() {
        List<Path> out = new ArrayList<>();
        for (Path in : inputs) {
            if (Files.isDirectory(in)) {
                try (Stream<Path> s = Files.walk(in)) {
                    s.filter(Files::isRegularFile).sorted().forEach(out::add);
                } catch (IOException e) {
                    spec.commandLine().getErr().println("cannot list " + in + ": " + e.getMessage());
                }
            } else {
                out.add(in);
            }
        }
        return out;
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }
}
