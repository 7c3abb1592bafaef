package org.dicomrelay.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.dicomrelay.router.config.ConsoleListener;
import org.dicomrelay.router.config.RouterConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * A running router's local devices through its console's API (the page's own calls, signed in as
 * a console user): list, add, edit, remove, echo. Changes apply at once and are saved to router.yaml.
 */
@Command(name = "devices", description = "List, add, edit, remove or echo a running router's local devices (through its console).",
        subcommands = {DevicesCommand.ListDevices.class, DevicesCommand.Add.class, DevicesCommand.Edit.class, DevicesCommand.Remove.class,
                DevicesCommand.Echo.class})
public final class DevicesCommand {

    /** Where the console is and who signs in; the password from the terminal or standard input. */
    static final class Target {
        @Option(names = "--config", paramLabel = "router.yaml", description = "the router's configuration (its console section says where it listens)")
        Path config;
        @Option(names = "--url", paramLabel = "URL", description = "the console's URL, instead of --config")
        URI url;
        @Option(names = "--user", required = true, paramLabel = "NAME", description = "a console account (admin to change)")
        String user;

        ConsoleClient signIn() throws IOException {
            URI base = url;
            if (base == null) {
                if (config == null) throw new IOException("give --config router.yaml or --url of the console");
                ConsoleListener c = RouterConfig.load(config).console();
                if (c == null) throw new IOException(config + " has no console section: the router serves no console");
                String host = c.bind().equals("0.0.0.0") || c.bind().equals("::") ? "127.0.0.1" : c.bind();
                // over HTTPS the JDK's trusted CAs must vouch for the console's certificate
                base = URI.create((c.certificate() == null ? "http" : "https") + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":"
                        + c.port() + "/");
            }
            char[] password = PasswordInput.read("console password of " + user, false);
            try {
                return ConsoleClient.signIn(base, user, password);
            } finally {
                Arrays.fill(password, '\0');
            }
        }
    }

    private static int fail(PrintWriter err, String what, Exception e) {
        err.println(what + ": " + org.dicomrelay.dicom.net.FailureText.of(e));
        return 1;
    }

    private static String path(String ae) {
        return "/api/devices/" + URLEncoder.encode(ae, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Command(name = "list", description = "The router's local devices.")
    static final class ListDevices implements Callable<Integer> {
        @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
        @Mixin Target target;

        @Override public Integer call() {
            try {
                ConsoleClient.Answer a = target.signIn().call("GET", "/api/devices", null);
                if (!a.ok()) throw new IOException(a.error());
                PrintWriter out = spec.commandLine().getOut();
                out.printf("%-16s  %-24s  %5s  %-24s  %s%n", "AE TITLE", "HOST", "PORT", "SERVICES", "EXPORTED");
                for (JsonNode d : a.body()) {
                    List<String> services = new java.util.ArrayList<>();
                    d.get("services").forEach(s -> services.add(s.asText()));
                    out.printf("%-16s  %-24s  %5d  %-24s  %s%n", d.get("aeTitle").asText(), d.get("host").asText(), d.get("port").asInt(),
                            String.join(",", services), d.get("exported").asBoolean() ? "yes" : "no");
                }
                return 0;
            } catch (IOException e) {
                return fail(spec.commandLine().getErr(), "cannot list the devices", e);
            }
        }
    }

    @Command(name = "add", description = "Add a local device; it may call the router at once and is saved to router.yaml.")
    static final class Add implements Callable<Integer> {
        @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
        @Mixin Target target;
        @Parameters(index = "0", paramLabel = "AE_TITLE") String aeTitle;
        @Option(names = "--host", required = true) String host;
        @Option(names = "--port", required = true) int port;
        @Option(names = "--services", split = ",", paramLabel = "echo,store,find,move,get", description = "what it offers as SCP")
        List<String> services = List.of();
        @Option(names = "--transfer-syntax", paramLabel = "UID", description = "a transfer syntax it accepts (repeat; none: the usual ones)")
        List<String> transferSyntaxes = List.of();
        @Option(names = "--exported", description = "other institutions may reach it through the relay") boolean exported;

        @Override public Integer call() {
            Map<String, Object> form = new LinkedHashMap<>();
            form.put("aeTitle", aeTitle);
            form.put("host", host);
            form.put("port", port);
            form.put("services", services);
            form.put("transferSyntaxes", transferSyntaxes);
            form.put("exported", exported);
            try {
                return reported(spec, target.signIn().call("POST", "/api/devices", form), aeTitle, "added");
            } catch (IOException e) {
                return fail(spec.commandLine().getErr(), "device not added", e);
            }
        }
    }

    /** The console's answer to a change of device {@code aeTitle}: what was {@code done}, or why not (the field it names, then the error). */
    private static int reported(picocli.CommandLine.Model.CommandSpec spec, ConsoleClient.Answer a, String aeTitle, String done) {
        if (!a.ok()) {
            spec.commandLine().getErr().println("device not " + done + ": "
                    + (a.body() != null && a.body().hasNonNull("field") ? a.body().get("field").asText() + ": " : "") + a.error());
            return 1;
        }
        spec.commandLine().getOut().println("device " + aeTitle + " " + done);
        return 0;
    }

    @Command(name = "edit", description = "Change a local device: what is given changes, the rest stays (the console's Edit).")
    static final class Edit implements Callable<Integer> {
        @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
        @Mixin Target target;
        @Parameters(index = "0", paramLabel = "AE_TITLE") String aeTitle;
        @Option(names = "--ae-title", paramLabel = "NEW_AE_TITLE", description = "a new AE title") String newAeTitle;
        @Option(names = "--host") String host;
        @Option(names = "--port") Integer port;
        @Option(names = "--services", split = ",", paramLabel = "echo,store,find,move,get") List<String> services;
        @Option(names = "--transfer-syntax", paramLabel = "UID", description = "replaces the list (repeat)") List<String> transferSyntaxes;
        @Option(names = "--exported", arity = "1", paramLabel = "true|false") Boolean exported;

        @Override public Integer call() {
            try {
                ConsoleClient client = target.signIn();
                ConsoleClient.Answer all = client.call("GET", "/api/devices", null);
                if (!all.ok()) throw new IOException(all.error());
                JsonNode current = null;
                for (JsonNode d : all.body()) if (d.path("aeTitle").asText().equals(aeTitle)) current = d;
                if (current == null) throw new IOException("no device " + aeTitle);
                Map<String, Object> form = new com.fasterxml.jackson.databind.ObjectMapper().convertValue(current,
                        new com.fasterxml.jackson.core.type.TypeReference<LinkedHashMap<String, Object>>() {});
                if (newAeTitle != null) form.put("aeTitle", newAeTitle);
                if (host != null) form.put("host", host);
                if (port != null) form.put("port", port);
                if (services != null) form.put("services", services);
                if (transferSyntaxes != null) form.put("transferSyntaxes", transferSyntaxes);
                if (exported != null) form.put("exported", exported);
                return reported(spec, client.call("PUT", path(aeTitle), form), aeTitle, "changed");
            } catch (IOException e) {
                return fail(spec.commandLine().getErr(), "device not changed", e);
            }
        }
    }

    @Command(name = "remove", description = "Remove a local device.")
    static final class Remove implements Callable<Integer> {
        @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
        @Mixin Target target;
        @Parameters(index = "0", paramLabel = "AE_TITLE") String aeTitle;

        @Override public Integer call() {
            try {
                ConsoleClient.Answer a = target.signIn().call("DELETE", path(aeTitle), null);
                if (!a.ok()) throw new IOException(a.error());
                spec.commandLine().getOut().println("device " + aeTitle + " removed");
                return 0;
            } catch (IOException e) {
                return fail(spec.commandLine().getErr(), "device not removed", e);
            }
        }
    }

    @Command(name = "echo", description = "C-ECHO from the router to one of its devices, or to a remote AE through the relay "
            + "(via the router that exports it: the path a device's C-ECHO takes).")
    static final class Echo implements Callable<Integer> {
        @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
        @Mixin Target target;
        @Parameters(index = "0", paramLabel = "AE_TITLE") String aeTitle;

        @Override public Integer call() {
            try {
                ConsoleClient.Answer a = target.signIn().call("POST", path(aeTitle) + "/echo", null);
                if (!a.ok()) throw new IOException(a.error());
                JsonNode r = a.body();
                String via = r.path("via").isTextual() ? " via router " + r.get("via").asText() : "";
                if (r.get("success").asBoolean()) {
                    spec.commandLine().getOut().println("C-ECHO " + aeTitle + via + ": success (" + r.get("milliseconds").asLong() + " ms)");
                    return 0;
                }
                spec.commandLine().getErr().println("C-ECHO " + aeTitle + via + " failed: " + r.get("error").asText());
                return 1;
            } catch (IOException e) {
                return fail(spec.commandLine().getErr(), "C-ECHO " + aeTitle + " not done", e);
            }
        }
    }
}
