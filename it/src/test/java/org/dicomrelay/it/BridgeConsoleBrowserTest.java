package org.dicomrelay.it;

import org.dicomrelay.console.Accounts;
import org.dicomrelay.console.Role;
import org.dicomrelay.relay.bridge.AeExport;
import org.dicomrelay.relay.bridge.BridgeClient;
import org.dicomrelay.relay.bridge.BridgeCredentials;
import org.dicomrelay.relay.bridge.RouterRecord;
import org.dicomrelay.relay.crypto.PublicKeys;
import org.dicomrelay.relay.crypto.RouterKeys;
import org.dicomrelay.testkit.Browser;
import org.dicomrelay.testkit.Peers;
import org.dicomrelay.testkit.Samples;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The Bridge console in a real browser (headless Chromium) on a real relay network (the Bridge
 * storing the sealed blobs, routers hospital-a and hospital-b): an enrollment token created in the
 * browser enrolls a new router, hospital-c; a grant ticked in the access grid brings its AE to
 * hospital-a's routing table (the directory pushed to the other router); a revocation in the browser
 * makes the Bridge refuse it and drops its AE at hospital-a. A viewer can change nothing (no
 * control, and 403 from the API), a change without the CSRF token is refused 403. Every page is
 * saved under target/screenshots/.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class BridgeConsoleBrowserTest {
    private static final String ADMIN_PASSWORD = "admin-password-1", VIEWER_PASSWORD = "viewer-password-1";
    private static final Duration WAIT = Duration.ofSeconds(20);

    private RelayNetwork net;
    private URI console;
    private Browser browser;
    private WebDriver driver;

    @BeforeAll void start() throws Exception {
        assertThat(Browser.available()).as("chromium and chromium-driver are installed (scripts/test installs them)").isTrue();
        net = RelayNetwork.with(RelayNetwork.Pacs.STORESCP).bridgeStore().bridgeConsole().extraRouter("hospital-d").start();
        console = net.bridge.consoleUrl().orElseThrow();
        Accounts accounts = Accounts.in(net.work.resolve("bridge"));
        accounts.create("admin", Role.ADMIN, ADMIN_PASSWORD.toCharArray());
        accounts.create("viewer", Role.VIEWER, VIEWER_PASSWORD.toCharArray());
        browser = Browser.start();
        driver = browser.driver;
    }

    @AfterAll void stop() throws Exception {
        if (browser != null) browser.close();
        if (net != null) net.close();
    }

    @BeforeEach void signedOut() {
        if (driver != null) driver.manage().deleteAllCookies();
    }

    private WebDriverWait waiting() {
        return new WebDriverWait(driver, WAIT);
    }

    private void signInAs(String user, String password) {
        driver.get(console.toString());
        waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("signin-form")));
        driver.findElement(By.id("user")).sendKeys(user);
        driver.findElement(By.id("password")).sendKeys(password);
        driver.findElement(By.id("signin-button")).click();
        waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("app")));
        waiting().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#routers-table tr[data-router='hospital-a']")));
    }

    private void page(String name) {
        driver.findElement(By.id("nav-" + name)).click();
        waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("page-" + name)));
    }

    /**
     * Clicks an element of a table the page redraws (after each change, and on the server-sent
     * 'changed' event): found afresh until the click lands on a current one.
     */
    private void click(By by) {
        waiting().ignoring(org.openqa.selenium.StaleElementReferenceException.class).until(d -> {
            var e = d.findElement(by);
            if (!e.isDisplayed() || !e.isEnabled()) return false;
            e.click();
            return true;
        });
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

    @Test void aTokenFromTheBrowserEnrollsARouterWhoseGrantedAeReachesTheOtherRouterUntilItIsRevoked() throws Exception {
        driver.get(console.toString());
        waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("signin-form")));
        browser.screenshot("bridge-signin");
        // traffic through the Bridge for the routers page and the map: one C-STORE from hospital-a to PACS B
        Peers.Result stored = RelayNetwork.tool("storescu", "-aet", RelayNetwork.WORKSTATION, "-aec", net.pacsAe, "127.0.0.1",
                String.valueOf(net.portA()), Samples.file("test_files/CT_small.dcm").toString());
        assertThat(stored.exitCode()).as(stored.output()).isZero();
        signInAs("admin", ADMIN_PASSWORD);

        // 1. an enrollment token, created in the browser and shown once with the enroll command
        driver.findElement(By.id("t-routerId")).sendKeys("hospital-c");
        driver.findElement(By.id("t-label")).sendKeys("asked for by the radiology of hospital C");
        driver.findElement(By.id("token-create")).click();
        waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("token-created")));
        String token = driver.findElement(By.id("token-value")).getText().strip();
        assertThat(driver.findElement(By.id("token-command")).getText())
                .isEqualTo("./dicom-relay enroll --config router.yaml --bridge " + net.bridgeUrl + " --token " + token);
        waiting().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#tokens-table tr[data-router='hospital-c']")));
        ((JavascriptExecutor) driver).executeScript("arguments[0].scrollIntoView()", driver.findElement(By.id("token-created")));
        browser.screenshot("bridge-token-created");

        // 2. the new router enrolls with it (the router's enrollment call) and exports an AE
        RouterKeys keys = RouterKeys.generate();
        PublicKeys pk = keys.publicKeys("hospital-c");
        BridgeCredentials credentials = BridgeClient.enroll(net.bridgeUrl, token, new RouterRecord("hospital-c", pk.hpkePublicKeyset(), pk.signaturePublicKeyset()));
        BridgeClient c = new BridgeClient(credentials);
        c.publishAes(List.of(new AeExport("PACS_C", List.of("echo", "store", "find"))));
        // the C-STORE reached PACS B, so its blob and notification have passed the Bridge before the page reloads
        await().atMost(WAIT).until(() -> {
            try (var files = java.nio.file.Files.walk(net.pacsDir)) {
                return files.anyMatch(java.nio.file.Files::isRegularFile);
            }
        });
        driver.navigate().refresh();
        waiting().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#routers-table tr[data-router='hospital-c'][data-status='active']")));
        assertThat(driver.findElements(By.cssSelector("#tokens-table tr[data-router='hospital-c']"))).as("a used token is no longer listed").isEmpty();
        // hospital-a sent through the Bridge (sealed blob bytes and notifications counted per router pair)
        waiting().until(ExpectedConditions.textMatches(By.cssSelector("#routers-table tr[data-router='hospital-a'] td:nth-child(9)"),
                java.util.regex.Pattern.compile("[1-9]\\d* notifications?, .*[1-9].*")));
        browser.screenshot("bridge-routers");

        // 3. the access grid: hospital-a may use echo and store of PACS_C; it reaches hospital-a's routing table
        assertThat(net.a.routes().route("PACS_C")).isEmpty();
        page("access");
        By echo = By.cssSelector("input.grant[data-router='hospital-a'][data-ae='PACS_C'][value='echo']");
        click(echo);
        waiting().until(ExpectedConditions.textToBe(By.id("access-message"), "hospital-a may use echo of PACS_C."));
        click(By.cssSelector("input.grant[data-router='hospital-a'][data-ae='PACS_C'][value='store']"));
        waiting().until(ExpectedConditions.textToBe(By.id("access-message"), "hospital-a may use echo, store of PACS_C."));
        await().atMost(WAIT).untilAsserted(() -> assertThat(net.a.routes().route("PACS_C"))
                .hasValueSatisfying(r -> assertThat(r.services()).containsExactlyInAnyOrder("echo", "store")));
        // (waits re-find: the grid is redrawn after each change, by the page and by the server-sent 'changed' event)
        waiting().until(ExpectedConditions.textToBe(By.cssSelector("#access-grid td.own[data-ae='PACS_C']"), "owner"));
        browser.screenshot("bridge-access");

        // 4. the network map: the three routers, the grant as an edge, hospital-a's traffic to hospital-b labelled
        page("map");
        waiting().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#map g.node[data-router='hospital-c']")));
        assertThat(driver.findElements(By.cssSelector("#map line.grant[data-from='hospital-a'][data-to='hospital-c']"))).hasSize(1);
        java.util.regex.Pattern total = java.util.regex.Pattern.compile(".* (\\d+) notif in all");
        // read in one script: the map is redrawn every 2 s, so an element found a moment ago may be gone
        java.util.function.Supplier<Long> notifications = () -> {
            Object label = ((JavascriptExecutor) driver).executeScript(
                    "const e = document.querySelector(\"#map text.rate[data-from='hospital-a'][data-to='hospital-b']\"); return e ? e.textContent : ''");
            java.util.regex.Matcher m = total.matcher(String.valueOf(label));
            return m.matches() ? Long.parseLong(m.group(1)) : -1L;
        };
        long before = notifications.get();
        assertThat(before).as("notifications hospital-a sent hospital-b for its C-STORE").isPositive();
        // live: another C-STORE, and the label changes by the server-sent traffic event, without a reload
        ((JavascriptExecutor) driver).executeScript("window.notReloaded = true");
        Peers.Result again = RelayNetwork.tool("storescu", "-aet", RelayNetwork.WORKSTATION, "-aec", net.pacsAe, "127.0.0.1",
                String.valueOf(net.portA()), Samples.file("test_files/MR_small.dcm").toString());
        assertThat(again.exitCode()).as(again.output()).isZero();
        waiting().until(d -> notifications.get() > before);
        assertThat(((JavascriptExecutor) driver).executeScript("return window.notReloaded")).isEqualTo(true);
        browser.screenshot("bridge-map");

        // 5. revoked in the browser (with a confirmation): the Bridge refuses it, and hospital-a drops its AE
        page("routers");
        click(By.cssSelector("#routers-table tr[data-router='hospital-c'] button.revoke"));
        driver.switchTo().alert().accept();
        waiting().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#routers-table tr[data-router='hospital-c'][data-status='revoked']")));
        assertThat(driver.findElement(By.id("routers-message")).getText()).startsWith("Router hospital-c revoked at ");
        assertThatThrownBy(c::directory).isInstanceOf(IOException.class).hasMessageContaining("revoked");
        await().atMost(WAIT).untilAsserted(() -> assertThat(net.a.routes().route("PACS_C")).isEmpty());
        browser.screenshot("bridge-routers-revoked");
    }

    @Test void aProviderIsAssignedInTheBrowserAndASettingThatLooksLikeACredentialIsRefused() throws Exception {
        signInAs("admin", ADMIN_PASSWORD);
        page("access");
        click(By.cssSelector("#providers-table tr[data-router='hospital-d'] button.edit-provider"));
        waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("provider-form")));
        driver.findElement(By.id("p-name")).clear();
        driver.findElement(By.id("p-name")).sendKeys("s3");
        driver.findElement(By.id("p-settings")).sendKeys("bucket=relay-d\nregion=eu-west-1\nsecretAccessKey=abc");
        driver.findElement(By.id("provider-save")).click();
        By formMessage = By.cssSelector("#provider-form .message");
        waiting().until(ExpectedConditions.textMatches(formMessage, java.util.regex.Pattern.compile(".*looks like a credential.*")));
        assertThat(net.admin("GET", "/api/admin/routers", null).body()).doesNotContain("relay-d");
        driver.findElement(By.id("p-settings")).clear();
        driver.findElement(By.id("p-settings")).sendKeys("bucket=relay-d\nregion=eu-west-1");
        driver.findElement(By.id("provider-save")).click();
        waiting().until(ExpectedConditions.textToBe(By.cssSelector("#providers-table tr[data-router='hospital-d'] td.provider"), "s3"));
        waiting().until(ExpectedConditions.textToBe(By.cssSelector("#providers-table tr[data-router='hospital-d'] pre"), "bucket=relay-d\nregion=eu-west-1"));
        // the assignment the router receives with its directory (the admin API's view of the same store)
        assertThat(net.admin("GET", "/api/admin/routers", null).body()).contains("\"provider\":\"s3\"").contains("relay-d");
        ((JavascriptExecutor) driver).executeScript("arguments[0].scrollIntoView()", driver.findElement(By.id("providers-table")));
        browser.screenshot("bridge-provider");
    }

    @Test void aViewerSeesEveryPageButCannotChangeAnything() throws Exception {
        signInAs("viewer", VIEWER_PASSWORD);
        assertThat(driver.findElements(By.id("token-form"))).as("no token form for a viewer").isEmpty();
        assertThat(driver.findElements(By.cssSelector("button.revoke"))).isEmpty();
        browser.screenshot("bridge-viewer-routers");
        page("access");
        waiting().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#access-grid tr[data-router='hospital-a']")));
        assertThat(driver.findElements(By.cssSelector("input.grant"))).allSatisfy(box -> assertThat(box.isEnabled()).isFalse());
        assertThat(driver.findElements(By.cssSelector("button.edit-provider"))).isEmpty();
        // the API refuses a viewer's change even with a valid CSRF token
        assertThat(fetchStatus("POST", "/api/admin/enrollment-tokens", "{\"routerId\":\"hospital-v\"}", true, null)).isEqualTo(403);
        assertThat(fetchStatus("POST", "/api/admin/routers/hospital-b/revoke", null, true, null)).isEqualTo(403);
        com.fasterxml.jackson.databind.JsonNode routers = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(net.admin("GET", "/api/admin/routers", null).body()).get("routers");
        assertThat(routers.findValues("routerId").stream().filter(n -> n.asText().equals("hospital-b")).count()).isEqualTo(1);
        for (var r : routers) if (r.get("routerId").asText().equals("hospital-b")) assertThat(r.get("status").asText()).isEqualTo("active");
    }

    @Test void aChangeWithoutTheCsrfTokenIsRefused() throws Exception {
        signInAs("admin", ADMIN_PASSWORD);
        assertThat(fetchStatus("POST", "/api/admin/enrollment-tokens", "{\"routerId\":\"hospital-x\"}", false, null)).isEqualTo(403);
        assertThat(fetchStatus("POST", "/api/admin/enrollment-tokens", "{\"routerId\":\"hospital-x\"}", true, "forged-token")).isEqualTo(403);
        assertThat(net.admin("GET", "/api/admin/enrollment-tokens", null).body()).doesNotContain("hospital-x");
        // the same request with the session's token is accepted: the refusal was the token's
        assertThat(fetchStatus("POST", "/api/admin/enrollment-tokens", "{\"routerId\":\"hospital-x\"}", true, null)).isEqualTo(201);
    }
}
