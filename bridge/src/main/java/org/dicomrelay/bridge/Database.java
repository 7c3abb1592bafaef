package org.dicomrelay.bridge;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcConnectionPool;

/**
 * The Bridge's database: H2 (file) through H2's connection pool, or PostgreSQL (any JDBC URL but
 * H2's) through HikariCP — one database that several Bridge instances may share. The schema is
 * migrated by Flyway from {@code db/migration} on the class path, the same migrations for both.
 */
final class Database implements AutoCloseable {

    @FunctionalInterface
    interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    private static final int MAX_CONNECTIONS = 32;

    private final String url;
    private final JdbcConnectionPool h2Pool;
    private final HikariDataSource pool;

    Database(String url) {
        this.url = url;
        if (isH2(url)) {
            h2Pool = JdbcConnectionPool.create(url, "sa", "");
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
        DataSource source = h2Pool != null ? h2Pool : pool;
        Flyway.configure().locations("classpath:db/migration").dataSource(source).load().migrate();
    }

    Connection connection() throws SQLException {
        return h2Pool != null ? h2Pool.getConnection() : pool.getConnection();
    }

    /** Runs work in one transaction: committed if it returns, rolled back if it throws. */
    <T> T tx(SqlWork<T> work) throws SQLException {
        try (Connection c = connection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    @Override
    public void close() {
        if (h2Pool != null) h2Pool.dispose();
        if (pool != null) pool.close();
    }
}
