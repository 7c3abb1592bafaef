package org.dicomrelay.bridge;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcConnectionPool;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementExceptions;

/**
 * The Bridge's database: H2 (file) through H2's connection pool, or PostgreSQL (any JDBC URL but
 * H2's) through HikariCP — one database that several Bridge instances may share. The schema is
 * migrated by Flyway from {@code db/migration} on the class path, the same migrations for both.
 * SQL goes through {@link #jdbi()} over the same pool.
 */
final class Database implements AutoCloseable {

    private static final int MAX_CONNECTIONS = 32;

    private final String url;
    private final JdbcConnectionPool h2Pool;
    private final HikariDataSource pool;
    private final Jdbi jdbi;

    Database(String url) {
        this.url = url;
        if (isH2(url)) {
            h2Pool = JdbcConnectionPool.create(closedByTheBridge(url), "sa", "");
            h2Pool.setMaxConnections(MAX_CONNECTIONS);
            pool = null;
        } else {
            h2Pool = null;
            HikariConfig c = new HikariConfig();
            c.setJdbcUrl(url);
            c.setMaximumPoolSize(MAX_CONNECTIONS);
            c.setPoolName("bridge-db");
            // Started even while the database is down: the Bridge answers 503 until it is back, as with H2.
            c.setInitializationFailTimeout(-1);
            pool = new HikariDataSource(c);
        }
        jdbi = Jdbi.create(dataSource());
        // A failed statement's message is the driver's alone: Jdbi's default appends the bound values (hashes of API keys, tokens).
        jdbi.getConfig(StatementExceptions.class).setMessageRendering(StatementExceptions.MessageRendering.NONE);
    }

    private DataSource dataSource() {
        return h2Pool != null ? h2Pool : pool;
    }

    /** Handles and transactions on the pool; its exceptions ({@link org.jdbi.v3.core.JdbiException}) are unchecked. */
    Jdbi jdbi() {
        return jdbi;
    }

    /**
     * H2 closes a database at JVM exit by default, in a shutdown hook of its own: a Bridge stopped by SIGTERM then
     * answered its held directory polls from a closed database (and left a trace file in its data folder). The
     * Bridge closes its pool itself, after its API.
     */
    static String closedByTheBridge(String h2Url) {
        return h2Url.toUpperCase(java.util.Locale.ROOT).contains(";DB_CLOSE_ON_EXIT=") ? h2Url : h2Url + ";DB_CLOSE_ON_EXIT=FALSE";
    }

    private static boolean isH2(String url) {
        return url.startsWith("jdbc:h2:");
    }

    /** Whether several Bridge instances may share this database (and must tell each other of new notifications). */
    boolean shared() {
        return url.startsWith("jdbc:postgresql:");
    }

    /** The JDBC URL, for a connection of its own outside the pool (a LISTEN); it may hold a password: never log it. */
    String url() {
        return url;
    }

    void migrate() {
        Flyway.configure().locations("classpath:db/migration").dataSource(dataSource()).load().migrate();
    }

    @Override
    public void close() {
        if (h2Pool != null) h2Pool.dispose();
        if (pool != null) pool.close();
    }
}
