package org.dicomrelay.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Bridge stopped by SIGTERM closes in a shutdown hook, answering its held directory polls from
 * the database on the way. H2 closes a database at JVM exit by default, in a hook of its own that
 * may run first: the polls were then answered from a closed database ("Database is already closed",
 * and a trace file left in the data folder, seen after every benchmark run). Checked in a child JVM
 * whose shutdown hook queries the database after H2's hooks have had their turn.
 */
class DatabaseShutdownTest {

    @TempDir
    Path dir;

    /** The child JVM: opens the database, queries it from a shutdown hook, and exits. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            Database db = new Database("jdbc:h2:file:" + Path.of(args[0]).resolve("bridge"));
            db.migrate();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    Thread.sleep(500); // H2's own hook, if it has one, has run by now
                    int one = db.jdbi().withHandle(h -> h.createQuery("SELECT 1").mapTo(Integer.class).one());
                    System.out.println("query at shutdown: " + one);
                } catch (Exception e) {
                    System.out.println("query at shutdown failed: " + e.getMessage());
                } finally {
                    db.close();
                }
            }));
            System.exit(0);
        }
    }

    @Test
    void theDatabaseStaysOpenUntilTheBridgeClosesItAtShutdown() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"), Child.class.getName(), dir.toString()))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(out).contains("query at shutdown: 1");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString())).noneMatch(f -> f.endsWith(".trace.db"));
        }
    }

    @Test
    void aUrlThatSaysOtherwiseIsLeftAsItIs() {
        assertThat(Database.closedByTheBridge("jdbc:h2:file:/x")).isEqualTo("jdbc:h2:file:/x;DB_CLOSE_ON_EXIT=FALSE");
        assertThat(Database.closedByTheBridge("jdbc:h2:file:/x;db_close_on_exit=true")).isEqualTo("jdbc:h2:file:/x;db_close_on_exit=true");
    }
}
