package org.dicomrelay.bridge;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcConnectionPool;

/**
 * The Bridge's database: H2 (file) through H2's connection pool, or any other JDBC URL through
 * the driver manager (unpooled: a pool comes with PostgreSQL support). The schema is migrated
 * by Flyway from {@code db/migration} on the class path.
 */
final class Database implements AutoCloseable {

    @FunctionalInterface
    interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    private final String url;
    private final JdbcConnectionPool h2Pool;

    Database(String url) {
        this.url = url;
        if (url.startsWith("jdbc:h2:")) {
            h2Pool = JdbcConnectionPool.create(url, "sa", "");
            h2Pool.setMaxConnections(32);
        } else {
            h2Pool = null;
        }
    }

    void migrate() {
        var flyway = Flyway.configure().locations("classpath:db/migration");
        flyway = h2Pool != null ? flyway.dataSource(h2Pool) : flyway.dataSource(url, null, null);
        flyway.load().migrate();
    }

    Connection connection() throws SQLException {
        return h2Pool != null ? h2Pool.getConnection() : DriverManager.getConnection(url);
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
    }
}
