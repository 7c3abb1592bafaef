package org.dicomrelay.providers.azure;

import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * How the router signs its requests to the storage account: exactly one of a connection string,
 * an account name with its key, or a SAS token. From router.yaml, else from the environment the
 * Azure tools use (the Bridge never supplies them: {@link AzureProvider#secretSettings()}).
 * {@link #toString()} says only which kind and where from.
 */
public record AzureCredentials(Kind kind, String accountName, String secret, String source) {
    public static final String CONNECTION_STRING = "connectionString";
    public static final String ACCOUNT_NAME = "accountName";
    public static final String ACCOUNT_KEY = "accountKey";
    public static final String SAS_TOKEN = "sasToken";

    static final String ENV_CONNECTION_STRING = "AZURE_STORAGE_CONNECTION_STRING";
    static final String ENV_ACCOUNT = "AZURE_STORAGE_ACCOUNT";
    static final String ENV_KEY = "AZURE_STORAGE_KEY";
    static final String ENV_SAS_TOKEN = "AZURE_STORAGE_SAS_TOKEN";

    public enum Kind { CONNECTION_STRING, ACCOUNT_KEY, SAS_TOKEN }

    static AzureCredentials of(Map<String, String> settings, UnaryOperator<String> environment) {
        AzureCredentials c = from(settings::get, "router.yaml", CONNECTION_STRING, ACCOUNT_NAME, ACCOUNT_KEY, SAS_TOKEN);
        if (c == null) c = from(environment, "environment", ENV_CONNECTION_STRING, ENV_ACCOUNT, ENV_KEY, ENV_SAS_TOKEN);
        if (c == null) {
            throw new IllegalArgumentException("Cloud IO provider 'azure' has no credentials: set '" + CONNECTION_STRING + "', or '" + ACCOUNT_NAME
                    + "' and '" + ACCOUNT_KEY + "', or '" + SAS_TOKEN + "' in router.yaml's cloud.settings, or the environment variable "
                    + ENV_CONNECTION_STRING + " (or " + ENV_ACCOUNT + " and " + ENV_KEY + ", or " + ENV_SAS_TOKEN + ")");
        }
        return c;
    }

    private static AzureCredentials from(UnaryOperator<String> get, String source, String connection, String account, String key, String sas) {
        String cs = AzureSettings.blankToNull(get.apply(connection));
        String name = AzureSettings.blankToNull(get.apply(account));
        String k = AzureSettings.blankToNull(get.apply(key));
        String token = AzureSettings.blankToNull(get.apply(sas));
        if (cs != null) return new AzureCredentials(Kind.CONNECTION_STRING, name, cs, source + " " + connection);
        if (k != null) {
            if (name == null) throw new IllegalArgumentException("Cloud IO provider 'azure': '" + key + "' (" + source + ") needs '" + account + "' too");
            return new AzureCredentials(Kind.ACCOUNT_KEY, name, k, source + " " + key);
        }
        if (token != null) return new AzureCredentials(Kind.SAS_TOKEN, name, token.startsWith("?") ? token.substring(1) : token, source + " " + sas);
        return null;
    }

    /** The default endpoint of a service ("blob", "queue") of the account, for settings that name none. */
    String defaultEndpoint(String service) {
        if (accountName == null) {
            throw new IllegalArgumentException("Cloud IO provider 'azure': give the " + service + " service's endpoint ('" + service
                    + "Endpoint') or '" + ACCOUNT_NAME + "'");
        }
        return "https://" + accountName + "." + service + ".core.windows.net";
    }

    @Override
    public String toString() {
        return kind + " from " + source;
    }
}
