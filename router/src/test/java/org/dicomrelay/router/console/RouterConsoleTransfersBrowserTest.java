package org.dicomrelay.router.console;

import org.dicomrelay.console.Accounts;
import org.dicomrelay.console.AuditLog;
import org.dicomrelay.console.Role;
import org.dicomrelay.dicom.io.SyntheticStudy;
import org.dicomrelay.router.Router;
import org.dicomrelay.router.config.ConsoleListener;
import org.dicomrelay.router.config.Device;
import org.dicomrelay.router.config.RouterConfig;
import org.dicomrelay.router.config.RoutingTable;
import org.dicomrelay.router.link.LocalHub;
import org.dicomrelay.testkit.Browser;
import org.dicomrelay.testkit.Peers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 11's Transfers, per-study timeline and remote Echo in a real browser (headless Chromium):
 * DCMTK's storescu sends a study through router A and router B to a real storescp (PS3.4 Annex B
 * C-STORE). Router A acknowledges each object only once router B's PACS stored it (remote
 * acknowledgement), and that storescp sleeps a second after each store, so the association runs
 * for seconds: the page shows its count advancing below the study's size under an indeterminate
 * bar (an incoming C-STORE association announces no total), then completed with the whole study.
 * The study's timeline shows every hop (router B's times travel back in its STORE answers), and
 * Echo of the remote AE (PS3.7 §9.1.5 C-ECHO) goes through router B to the PACS and succeeds.
 * Screenshots of each page go to target/screenshots/.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class RouterConsoleTransfersBrowserTest {
    private static final String PASSWORD = "admin-password-1";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int INSTANCES = 6;

    private Path work;
    private Router routerA, routerB;
    private RouterConsole console;
    private Peers.Server pacs;
    private Browser browser;
    private WebDriver driver;
    /** Runs storescu while the test watches the page; closed at the end. */
    private final ExecutorService background = Executors.newSingleThreadExecutor();

    @BeforeAll void start() throws Exception {
        assertThat(Browser.available()).as("chromium and chromium-driver are installed (scripts/test installs them)").isTrue();
        work = Files.createTempDirectory("router-console-transfers");
        int pacsPort = Peers.freePort();
        Path received = Files.createDirectories(work.resolve("pacs-b"));
        // a second after each store: the association from the modality lasts for seconds, object after object
        pacs = Peers.startServer(List.of("storescp", "-aet", "PACS_B", "--sleep-after", "1", "-od", received.toString(), String.valueOf(pacsPort)),
                pacsPort, null, Map.of());
        LocalHub hub = new LocalHub();
        routerB = Router.start(new RouterConfig("hospital-b", work.resolve("b").toString(), "ROUTER_B", "127.0.0.1", 0, null, null, null,
                List.of(new Device("PACS_B", "127.0.0.1", pacsPort, List.of("store", "echo"), List.of(), true))), hub.courier("hospital-b"),
                new RoutingTable());
        RouterConfig config = new RouterConfig("hospital-a", work.resolve("a").toString(), "ROUTER_A", "127.0.0.1", 0, null, null, null,
                List.of(new Device("MODALITY", "127.0.0.1", 1, List.of(), List.of(), false)), List.of("PACS_B"), null, null);
        RoutingTable routes = new RoutingTable();
        routes.replace(List.of(new RoutingTable.Route("PACS_B", "hospital-b", Set.of("store", "echo"))));
        routerA = Router.start(config, hub.courier("hospital-a"), routes);
        Accounts.in(config.state()).create("admin", Role.ADMIN, PASSWORD.toCharArray());
        console = RouterConsole.start(new ConsoleListener("127.0.0.1", 0), config, null, routerA, routes,
                () -> BridgeStatus.of("https://127.0.0.1:8470", true, Instant.now(), Instant.now(), "sha256:5f1e0c0ffee"));
        browser = Browser.start();
        driver = browser.driver;
    }

    @AfterAll void stop() throws Exception {
        background.shutdownNow();
        background.awaitTermination(10, TimeUnit.SECONDS);
        if (browser != null) browser.close();
        if (console != null) console.close();
        if (routerA != null) routerA.close();
        if (routerB != null) routerB.close();
        if (pacs != null) pacs.close();
    }

    private WebDriverWait waiting() {
        WebDriverWait w = new WebDriverWait(driver, WAIT);
        w.pollingEvery(Duration.ofMillis(50));
        return w;
    }

    private void signIn() {
        driver.get(console.url().toString());
        waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("signin-form")));
        driver.findElement(By.id("user")).sendKeys("admin");
        driver.findElement(By.id("password")).sendKeys(PASSWORD);
        driver.findElement(By.id("signin-button")).click();
        waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("app")));
    }

    /** The instances count of the running transfer, or -1 while none runs. */
    private int runningCount() {
        Object n = ((JavascriptExecutor) driver).executeScript(
                "const c = document.querySelector(\"#transfers-table tr[data-state='running'] td.instances\"); return c ? c.textContent : null;");
        return n == null ? -1 : Integer.parseInt(n.toString());
    }

    /** The first transfer row in {@code state}, read at once (the table is redrawn live): its text, counts and bar; null if none. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> row(String state) {
        return (Map<String, Object>) ((JavascriptExecutor) driver).executeScript("""
                const r = document.querySelector(`#transfers-table tr[data-state='${arguments[0]}']`);
                if (!r) return null;
                const bar = r.querySelector('progress');
                return {text: r.textContent, instances: r.querySelector('td.instances').textContent,
                        progress: r.querySelector('td.progress').textContent, indeterminate: bar.matches(':indeterminate'),
                        value: bar.getAttribute('value'), max: bar.getAttribute('max')};
                """, state);
    }

    @Test void aStorescuTransferAdvancesAndCompletesItsStudyShowsEveryHopAndTheRemoteAeEchoesThroughTheRelay() throws Exception {
        SyntheticStudy study = SyntheticStudy.write(work.resolve("study"), INSTANCES, "TIMELINE^TEST", "T1");
        signIn();
        driver.findElement(By.id("nav-transfers")).click();
        waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("page-transfers")));

        List<String> storescu = new ArrayList<>(List.of("storescu", "-aet", "MODALITY", "-aec", "PACS_B", "127.0.0.1", String.valueOf(routerA.port())));
        study.files().forEach(f -> storescu.add(f.toString()));
        CompletableFuture<Peers.Result> sent = CompletableFuture.supplyAsync(() -> {
            try {
                return Peers.run(storescu, Duration.ofSeconds(120));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, background);

        // Running, part of the study received: the count advances below the total, under an indeterminate bar.
        waiting().until(d -> {
            int n = runningCount();
            return n >= 1 && n < INSTANCES;
        });
        int seen = runningCount();
        Map<String, Object> running = row("running");
        assertThat((String) running.get("text")).contains("MODALITY", "PACS_B", "hospital-b", "C-STORE", "so far");
        assertThat(running.get("indeterminate")).as("an indeterminate bar: the total is not known yet").isEqualTo(true);
        browser.screenshot("router-transfers-running");
        waiting().until(d -> runningCount() > seen);

        // Completed: the whole study, the bar full with the known total.
        Peers.Result result = sent.get(120, TimeUnit.SECONDS);
        assertThat(result.exitCode()).as(result.output()).isZero();
        waiting().until(d -> row("completed") != null);
        Map<String, Object> done = row("completed");
        assertThat(done.get("instances")).isEqualTo(String.valueOf(INSTANCES));
        assertThat(done.get("indeterminate")).isEqualTo(false);
        assertThat(done.get("value")).isEqualTo(String.valueOf(INSTANCES));
        assertThat(done.get("max")).isEqualTo(String.valueOf(INSTANCES));
        assertThat((String) done.get("progress")).contains(INSTANCES + " / " + INSTANCES);
        browser.screenshot("router-transfers-completed");

        // The study's timeline: every hop passed by every object, the PACS's status 0000H for each.
        driver.findElement(By.id("nav-studies")).click();
        By studyRow = By.cssSelector("#studies-table tr[data-study='" + study.studyUid() + "']");
        waiting().until(ExpectedConditions.presenceOfElementLocated(studyRow));
        waiting().until(ExpectedConditions.textToBe(By.cssSelector("#studies-table tr[data-study='" + study.studyUid() + "'] td.answered"),
                String.valueOf(INSTANCES)));
        driver.findElement(studyRow).click();
        waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("timeline")));
        for (String hop : List.of("RECEIVED", "SPOOLED", "SENT", "RECEIVED_AT_B", "STORED_AT_B", "ANSWERED")) {
            waiting().until(ExpectedConditions.textToBe(By.cssSelector("#timeline-table tr[data-hop='" + hop + "'] td.count"), String.valueOf(INSTANCES)));
        }
        assertThat(driver.findElement(By.cssSelector("#timeline-table tr[data-hop='STORED_AT_B']")).getText()).contains("0000H × " + INSTANCES);
        assertThat(driver.findElement(By.cssSelector("#timeline-table tr[data-hop='ANSWERED']")).getText()).contains("0000H × " + INSTANCES);
        assertThat(driver.findElement(By.id("timeline-title")).getText()).contains(study.studyUid(), "MODALITY", "PACS_B", "hospital-b");
        browser.screenshot("router-study-timeline");

        // Echo of the remote AE: through router B to its PACS, and back.
        driver.findElement(By.id("nav-remote")).click();
        By echo = By.cssSelector("#remote-table tr[data-ae='PACS_B'] button.echo");
        waiting().until(ExpectedConditions.elementToBeClickable(echo));
        driver.findElement(echo).click();
        waiting().until(ExpectedConditions.textMatches(By.cssSelector("#remote-table .echo-result[data-ae='PACS_B']"),
                Pattern.compile("success via hospital-b, \\d+ ms round trip")));
        browser.screenshot("router-remote-echo");
        assertThat(Files.readString(routerA.config().state().resolve(AuditLog.FILE)))
                .containsPattern("user=admin action=remote.echo target=PACS_B outcome=success in \\d+ ms");
        assertThat(pacs.isAlive()).isTrue();

        // Status: this router's link is in-process (no cloud provider to ask), and says so rather than "reachable".
        driver.findElement(By.id("nav-status")).click();
        waiting().until(ExpectedConditions.textToBe(By.cssSelector("#status-list dd[data-key='Cloud reachable']"), "no cloud provider (in-process link)"));
    }
}
