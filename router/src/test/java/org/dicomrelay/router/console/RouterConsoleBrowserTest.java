package org.dicomrelay.router.console;

import org.dicomrelay.console.Accounts;
import org.dicomrelay.console.AuditLog;
import org.dicomrelay.console.Role;
import org.dicomrelay.console.SignInThrottle;
import org.dicomrelay.dicom.net.AssociationOptions;
import org.dicomrelay.dicom.net.service.Verification;
import org.dicomrelay.dicom.io.SyntheticStudy;
import org.dicomrelay.dicom.net.service.StorageSource;
import org.dicomrelay.dicom.net.service.StoreScu;
import org.dicomrelay.router.Router;
import org.dicomrelay.router.Spool;
import org.dicomrelay.router.config.RetryPolicy;
import org.dicomrelay.router.config.ConsoleListener;
import org.dicomrelay.router.config.Device;
import org.dicomrelay.router.config.RouterConfig;
import org.dicomrelay.router.config.RoutingTable;
import org.dicomrelay.router.link.LocalHub;
import org.dicomrelay.testkit.Browser;
import org.dicomrelay.testkit.Peers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The router console in a real browser (headless Chromium): sign-in and lock-out, adding a device
 * and echoing it (C-ECHO, PS3.7 §9.1.5) against a real storescp, the PS3.5 §6.2 AE title rule as
 * a field message that changes nothing, a viewer who can change nothing (no control, and 403 from
 * the API), a change without the CSRF token refused. Every page is saved under target/screenshots/.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class RouterConsoleBrowserTest {
    private static final String ADMIN_PASSWORD = "admin-password-1", VIEWER_PASSWORD = "viewer-password-1";
    private static final Duration WAIT = Duration.ofSeconds(20);

    private Path work, yaml;
    private RouterConfig config;
    private RoutingTable routes;
    private Router router, routerB;
    /** Router B's PACS: nothing listens on its port until a test brings it up. */
    private int pacsPort;
    private RouterConsole console;
    private Browser browser;
    private WebDriver driver;

    @BeforeAll void start() throws Exception {
        assertThat(Browser.available()).as("chromium and chromium-driver are installed (scripts/test installs them)").isTrue();
        work = Files.createTempDirectory("router-console");
        yaml = work.resolve("router.yaml");
        LocalHub hub = new LocalHub();
        pacsPort = Peers.freePort();
        routerB = Router.start(new RouterConfig("hospital-b", work.resolve("b").toString(), "ROUTER_B", "127.0.0.1", 0, null, null, null,
                List.of(new Device("PACS_B", "127.0.0.1", pacsPort, List.of("store"), List.of(), true))), hub.courier("hospital-b"), new RoutingTable());
        // A long back-off: only the console's Retry tries again within the test.
        new RouterConfig("hospital-a", work.resolve("state").toString(), "ROUTER_A", "127.0.0.1", 0, null, null, null,
                List.of(new Device("MODALITY", "127.0.0.1", 1, List.of(), List.of(), false))).withRetry(new RetryPolicy(600, 600, 168)).save(yaml);
        config = RouterConfig.load(yaml);
        routes = new RoutingTable();
        routes.replace(List.of(new RoutingTable.Route("PACS_B", "hospital-b", Set.of("store"))));
        router = Router.start(config, hub.courier("hospital-a"), routes);
        Accounts accounts = Accounts.in(config.state());
        accounts.create("admin", Role.ADMIN, ADMIN_PASSWORD.toCharArray());
        accounts.create("viewer", Role.VIEWER, VIEWER_PASSWORD.toCharArray());
        console = startConsole();
        browser = Browser.start();
        driver = browser.driver;
    }

    private RouterConsole startConsole() throws IOException {
        return RouterConsole.start(new ConsoleListener("127.0.0.1", 0), config, yaml, router, routes,
                () -> BridgeStatus.of("https://127.0.0.1:8470", true, Instant.parse("2026-12-05T04:00:00Z"), Instant.parse("2026-12-05T04:00:00Z"),
                        "sha256:5f1e0c0ffee"));
    }

    @AfterAll void stop() throws Exception {
        if (browser != null) browser.close();
        if (console != null) console.close();
        if (router != null) router.close();
        if (routerB != null) routerB.close();
    }

    @BeforeEach void signedOut() {
        driver.manage().deleteAllCookies();
    }

    private WebDriverWait waiting() {
        return new WebDriverWait(driver, WAIT);
    }

    private void signIn(RouterConsole c, String user, String password) {
        driver.get(c.url().toString());
        waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("signin-form")));
        driver.findElement(By.id("user")).sendKeys(user);
        driver.findElement(By.id("password")).sendKeys(password);
        driver.findElement(By.id("signin-button")).click();
    }

    private void signInAs(String user, String password) {
        signIn(console, user, password);
        waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("app")));
        waiting().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#devices-table tr[data-ae='MODALITY']")));
    }

    /** The HTTP status of a request the page's own JavaScript sends (with the browser's session cookie). */
    private long fetchStatus(String method, String path, String body, boolean withCsrf, String csrfOverride) {
        Object status = ((JavascriptExecutor) driver).executeAsyncScript("""
                const [method, path, body, withCsrf, override, done] = arguments;
                fetch('/api/session').then(r => r.json()).then(s => {
                  const headers = {'Content-Type': 'application/json'};
                  if (withCsrf) headers['X-CSRF-Token'] = override || s.csrfToken;
                  return fetch(path, {method, headers, body});
                }).then(r => done(r.status)).catch(e => done(-1));
                """, method, path, body, withCsrf, csrfOverride);
        return (Long) status;
    }

    private void openDeviceForm() {
        driver.findElement(By.id("device-new")).click();
        waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("device-form")));
    }

    private void fill(String id, String value) {
        WebElement e = driver.findElement(By.id(id));
        e.clear();
        e.sendKeys(value);
    }

    @Test void aWrongPasswordIsRefusedAndRepeatedFailuresLockTheAccountOut() throws Exception {
        // A console of its own: the lock-out it provokes for 127.0.0.1 must not reach the other tests.
        try (RouterConsole own = startConsole()) {
            driver.get(own.url().toString());
            waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("signin-form")));
            browser.screenshot("router-signin");
            signIn(own, "admin", "not-the-password");
            waiting().until(ExpectedConditions.textToBe(By.id("password-error"), "wrong user name or password"));
            assertThat(driver.findElement(By.id("app")).isDisplayed()).isFalse();
            for (int i = 1; i < SignInThrottle.MAX_FAILURES; i++) {
                signIn(own, "admin", "not-the-password-" + i);
                waiting().until(ExpectedConditions.textToBe(By.id("password-error"), "wrong user name or password"));
            }
            signIn(own, "admin", ADMIN_PASSWORD); // the right password, but locked out now
            waiting().until(ExpectedConditions.textMatches(By.id("password-error"), java.util.regex.Pattern.compile("too many failed sign-ins.*")));
            browser.screenshot("router-signin-locked");
            assertThat(driver.findElement(By.id("app")).isDisplayed()).isFalse();
        }
    }

    @Test void anAddedDeviceAppliesAtOnceIsSavedAndEchoesAgainstStorescp() throws Exception {
        int port = Peers.freePort();
        Path received = Files.createDirectories(work.resolve("storescp"));
        try (Peers.Server storescp = Peers.startServer(List.of("storescp", "-aet", "STORE_SCP", "-od", received.toString(),
                String.valueOf(port)), port, null, Map.of())) {
            // Before: the router does not know STORE_SCP, and refuses its association (PS3.8 §7.1.1.7, calling AE not recognized).
            assertThatThrownBy(() -> Verification.echo("127.0.0.1", router.port(), "ROUTER_A", "STORE_SCP", AssociationOptions.DEFAULT))
                    .isInstanceOf(IOException.class);
            signInAs("admin", ADMIN_PASSWORD);
            openDeviceForm();
            fill("f-aeTitle", "STORE_SCP");
            fill("f-host", "127.0.0.1");
            fill("f-port", String.valueOf(port));
            driver.findElement(By.cssSelector("#device-form input[name=services][value=store]")).click();
            driver.findElement(By.cssSelector("#device-form input[name=services][value=echo]")).click();
            driver.findElement(By.id("device-save")).click();
            waiting().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#devices-table tr[data-ae='STORE_SCP']")));
            assertThat(driver.findElement(By.id("devices-message")).getText()).isEqualTo("Device STORE_SCP added.");

            // Applied without a restart (the listeners' ACL knows it now) and saved to router.yaml, the rest of it kept.
            assertThat(router.devices().find("STORE_SCP")).hasValueSatisfying(d -> assertThat(d.port()).isEqualTo(port));
            assertThat(Verification.echo("127.0.0.1", router.port(), "ROUTER_A", "STORE_SCP", AssociationOptions.DEFAULT)).isZero();
            RouterConfig saved = RouterConfig.load(yaml);
            assertThat(saved.devices()).extracting(Device::aeTitle).containsExactly("MODALITY", "STORE_SCP");
            assertThat(saved.device("STORE_SCP").orElseThrow().services()).containsExactlyInAnyOrder("store", "echo");
            assertThat(saved.routerId()).isEqualTo("hospital-a");

            driver.findElement(By.cssSelector("#devices-table tr[data-ae='STORE_SCP'] button.echo")).click();
            By result = By.cssSelector(".echo-result[data-ae='STORE_SCP']");
            waiting().until(ExpectedConditions.textMatches(result, java.util.regex.Pattern.compile("success, \\d+ ms")));
            browser.screenshot("router-devices");
            assertThat(storescp.isAlive()).isTrue();
        }
        String audit = Files.readString(config.state().resolve(AuditLog.FILE));
        assertThat(audit).contains("user=admin action=device.add target=STORE_SCP outcome=ok")
                .containsPattern("user=admin action=device.echo target=STORE_SCP outcome=success in \\d+ ms");
    }

    @Test void anInvalidAeTitleShowsAMessageNextToTheFieldAndChangesNothing() throws Exception {
        byte[] before = Files.readAllBytes(yaml);
        signInAs("admin", ADMIN_PASSWORD);
        openDeviceForm();
        fill("f-aeTitle", "BAD\\AE");
        fill("f-host", "127.0.0.1");
        fill("f-port", "104");
        driver.findElement(By.id("device-save")).click();
        waiting().until(ExpectedConditions.textMatches(By.id("error-aeTitle"), java.util.regex.Pattern.compile(".*backslash.*")));
        browser.screenshot("router-device-invalid");
        fill("f-aeTitle", "SEVENTEEN_CHARS_X");
        driver.findElement(By.id("device-save")).click();
        waiting().until(ExpectedConditions.textMatches(By.id("error-aeTitle"), java.util.regex.Pattern.compile(".*1 to 16 characters.*")));
        fill("f-aeTitle", "GOOD_AE");
        fill("f-port", "70000");
        driver.findElement(By.id("device-save")).click();
        waiting().until(ExpectedConditions.textMatches(By.id("error-port"), java.util.regex.Pattern.compile(".*1 to 65535.*")));
        assertThat(driver.findElement(By.id("error-aeTitle")).getText()).isEmpty();

        assertThat(Files.readAllBytes(yaml)).isEqualTo(before);
        assertThat(router.devices().all()).extracting(Device::aeTitle).doesNotContain("BAD\\AE", "SEVENTEEN_CHARS_X", "GOOD_AE");
    }

    @Test void aViewerSeesNoChangeControlAndTheApiRefusesItsChanges() throws Exception {
        byte[] before = Files.readAllBytes(yaml);
        signInAs("viewer", VIEWER_PASSWORD);
        assertThat(driver.findElement(By.id("who")).getText()).isEqualTo("viewer (viewer)");
        assertThat(driver.findElements(By.id("device-new"))).isEmpty();
        assertThat(driver.findElements(By.id("device-form"))).isEmpty();
        assertThat(driver.findElements(By.cssSelector("#devices-table button"))).isEmpty();
        browser.screenshot("router-viewer-devices");
        driver.findElement(By.id("nav-queue")).click();
        waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("page-queue")));
        assertThat(driver.findElements(By.cssSelector("[data-bulk]"))).isEmpty();

        long status = fetchStatus("POST", "/api/devices", "{\"aeTitle\":\"VIEWER_AE\",\"host\":\"127.0.0.1\",\"port\":104}", true, null);
        assertThat(status).isEqualTo(403);
        assertThat(fetchStatus("DELETE", "/api/devices/MODALITY", null, true, null)).isEqualTo(403);
        assertThat(fetchStatus("POST", "/api/queue/discard", "{\"all\":true}", true, null)).isEqualTo(403);
        assertThat(Files.readAllBytes(yaml)).isEqualTo(before);
        assertThat(router.devices().find("MODALITY")).isPresent();
    }

    @Test void aChangeWithoutTheCsrfTokenIsRefused() throws Exception {
        signInAs("admin", ADMIN_PASSWORD);
        byte[] before = Files.readAllBytes(yaml);
        String body = "{\"aeTitle\":\"NO_TOKEN\",\"host\":\"127.0.0.1\",\"port\":104}";
        assertThat(fetchStatus("POST", "/api/devices", body, false, null)).isEqualTo(403);
        assertThat(fetchStatus("POST", "/api/devices", body, true, "forged-token")).isEqualTo(403);
        assertThat(fetchStatus("DELETE", "/api/devices/MODALITY", null, false, null)).isEqualTo(403);
        assertThat(Files.readAllBytes(yaml)).isEqualTo(before);
        assertThat(router.devices().all()).extracting(Device::aeTitle).doesNotContain("NO_TOKEN").contains("MODALITY");
    }

    /**
     * Store and forward as an operator sees it: router A acknowledges from its spool (PS3.4 B.2.3),
     * the PACS behind router B is down (B answers A700H-class failures, retried), the entry shows
     * in the queue with its reason; with the PACS up, Retry delivers it and the queue empties.
     */
    @Test void aFailedDeliveryShowsInTheQueueAndRetryDeliversItOnceThePacsIsUp() throws Exception {
        SyntheticStudy study = SyntheticStudy.write(work.resolve("queued"), 1, "QUEUE^TEST", "Q1");
        StorageSource source = StorageSource.probe(study.files().get(0));
        try (StoreScu scu = StoreScu.open("127.0.0.1", router.port(), "PACS_B", "MODALITY",
                List.of(new StoreScu.Need(source.sopClassUid(), source.transferSyntax().uid())), AssociationOptions.DEFAULT)) {
            assertThat(scu.store(source).status()).isZero();
        }
        await().atMost(WAIT).until(() -> Spool.of(config.state()).entries().stream().anyMatch(e -> e.attempts() > 0));

        signInAs("admin", ADMIN_PASSWORD);
        // The association that brought it: MODALITY -> PACS_B, one C-STORE, ended.
        driver.findElement(By.id("nav-transfers")).click();
        By transfer = By.cssSelector("#transfers-table tr[data-state='completed']");
        waiting().until(ExpectedConditions.presenceOfElementLocated(transfer));
        assertThat(driver.findElement(transfer).getText()).contains("MODALITY", "PACS_B", "C-STORE");
        assertThat(driver.findElement(transfer).findElement(By.cssSelector(".instances")).getText()).isEqualTo("1");
        browser.screenshot("router-transfers");
        driver.findElement(By.id("nav-queue")).click();
        By row = By.cssSelector("table.queue[data-destination='PACS_B'] tbody tr");
        waiting().until(ExpectedConditions.presenceOfElementLocated(row));
        assertThat(driver.findElement(row).getText()).contains("MODALITY", study.studyUid(), "pending");
        browser.screenshot("router-queue-failed");

        Path received = Files.createDirectories(work.resolve("pacs-b"));
        try (Peers.Server pacs = Peers.startServer(List.of("storescp", "-aet", "PACS_B", "-od", received.toString(), String.valueOf(pacsPort)),
                pacsPort, null, Map.of())) {
            driver.findElement(row).findElement(By.xpath(".//button[text()='Retry']")).click();
            waiting().until(ExpectedConditions.textToBe(By.id("queue-message"), "retrying 1 pending entry now"));
            await().atMost(WAIT).until(() -> Spool.of(config.state()).entries().isEmpty());
            driver.navigate().refresh();
            waiting().until(ExpectedConditions.textToBe(By.id("queue-summary"), "The queue is empty: everything was delivered."));
            browser.screenshot("router-queue");
            try (var files = Files.list(received)) {
                assertThat(files.count()).isEqualTo(1);
            }
        }
        assertThat(Files.readString(config.state().resolve(AuditLog.FILE))).contains("user=admin action=queue.retry");
    }

    @Test void aDeviceIsEditedAndRemovedWithoutARestart() throws Exception {
        router.devices().replace(concat(router.devices().all(), new Device("TO_EDIT", "127.0.0.1", 4242, List.of("store"), List.of(), false)));
        signInAs("admin", ADMIN_PASSWORD);
        By row = By.cssSelector("#devices-table tr[data-ae='TO_EDIT']");
        waiting().until(ExpectedConditions.presenceOfElementLocated(row));
        driver.findElement(row).findElement(By.cssSelector("button.edit")).click();
        waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("device-form")));
        assertThat(driver.findElement(By.id("f-port")).getAttribute("value")).isEqualTo("4242");
        fill("f-port", "4343");
        driver.findElement(By.id("f-exported")).click();
        driver.findElement(By.id("device-save")).click();
        waiting().until(ExpectedConditions.textToBe(By.id("devices-message"), "Device TO_EDIT saved."));
        assertThat(router.devices().find("TO_EDIT")).hasValueSatisfying(d -> {
            assertThat(d.port()).isEqualTo(4343);
            assertThat(d.exported()).isTrue();
        });
        assertThat(RouterConfig.load(yaml).device("TO_EDIT").orElseThrow().port()).isEqualTo(4343);

        driver.findElement(row).findElement(By.cssSelector("button.remove")).click();
        waiting().until(ExpectedConditions.alertIsPresent()).accept();
        waiting().until(ExpectedConditions.textToBe(By.id("devices-message"), "Device TO_EDIT removed."));
        assertThat(router.devices().find("TO_EDIT")).isEmpty();
        assertThat(RouterConfig.load(yaml).device("TO_EDIT")).isEmpty();
        assertThat(Files.readString(config.state().resolve(AuditLog.FILE))).contains("user=admin action=device.edit target=TO_EDIT outcome=ok",
                "user=admin action=device.remove target=TO_EDIT outcome=ok");
    }

    private static List<Device> concat(List<Device> devices, Device d) {
        List<Device> all = new java.util.ArrayList<>(devices);
        all.add(d);
        return all;
    }

    @Test void theStatusPageShowsTheRouter() throws Exception {
        signInAs("admin", ADMIN_PASSWORD);
        driver.findElement(By.id("nav-remote")).click();
        By remote = By.cssSelector("#remote-table tr[data-ae='PACS_B']");
        waiting().until(ExpectedConditions.presenceOfElementLocated(remote));
        assertThat(driver.findElement(remote).getText()).contains("PACS_B", "hospital-b", "store");
        browser.screenshot("router-remote-aes");
        driver.findElement(By.id("nav-status")).click();
        By router = By.cssSelector("#status-list dd[data-key='Router']");
        waiting().until(ExpectedConditions.textMatches(router, java.util.regex.Pattern.compile("hospital-a \\(ROUTER_A, DICOM port \\d+\\)")));
        assertThat(driver.findElement(By.cssSelector("#status-list dd[data-key='Own key fingerprint']")).getText()).isEqualTo("sha256:5f1e0c0ffee");
        assertThat(driver.findElement(By.cssSelector("#status-list dd[data-key='Bridge reachable']")).getText()).isEqualTo("yes");
        // the recent log shows what the router logged (its start, at least), newest first
        waiting().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#log-table tbody tr")));
        assertThat(driver.findElement(By.id("log-table")).getText()).contains("console");
        browser.screenshot("router-status");
    }
}
