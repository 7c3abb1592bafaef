package org.dicomrelay.cli;

import org.dicomrelay.dicom.net.DimseResponse;
import org.dicomrelay.dicom.net.PendingRequest;
import org.dicomrelay.dicom.net.service.QueryRetrieveScu;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;

/** C-FIND, like findscu: matches are printed as they arrive. */
@Command(name = "find", description = "Query a DICOM peer with C-FIND.")
public final class FindCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin ConnectionOptions conn;
    @Mixin QueryKeys keys;

    @Option(names = "-r", paramLabel = "Keyword", description = "return key (repeatable); a default set per level is always asked")
    List<String> returnKeys = List.of();

    @Option(names = "--json", description = "print each match as DICOM JSON (PS3.18 Annex F), one object per line")
    boolean json;

    @Option(names = "--cancel-after", paramLabel = "N", defaultValue = "0", description = "send C-CANCEL after N matches")
    int cancelAfter;

    @Override public Integer call() {
        MatchPrinter printer = new MatchPrinter(spec.commandLine().getOut(), json);
        try (QueryRetrieveScu scu = QueryRetrieveScu.open(conn.peer.host(), conn.peer.port(), conn.peer.aeTitle(), conn.callingAe,
                keys.model.model, List.of(), null, conn.options())) {
            PendingRequest p = scu.find(keys.build(returnKeys, true));
            DimseResponse r;
            while ((r = p.next()) != null) {
                if (r.isPending()) {
                    if (r.data() != null) printer.print(r.data());
                    if (cancelAfter > 0 && printer.count() == cancelAfter) p.cancel(scu.contextOf("find"));
                    continue;
                }
                int st = r.status();
                if (st == 0 || st == 0xFE00) {
                    spec.commandLine().getErr().println(printer.count() + " match(es); " + StatusText.of(r.command(), 0x8020));
                    return st == 0 || cancelAfter > 0 ? 0 : 1;
                }
                spec.commandLine().getErr().println("C-FIND failed: " + StatusText.of(r.command(), 0x8020));
                return 1;
            }
            return 1;
        } catch (IOException | IllegalArgumentException e) {
            spec.commandLine().getErr().println("C-FIND " + conn.peer + " failed: " + e.getMessage());
            return 2;
        }
    }
}
