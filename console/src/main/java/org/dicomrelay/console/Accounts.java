package org.dicomrelay.console;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.dicomrelay.dicom.io.OwnerOnly;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The console's local accounts, in one JSON file (0600) beside the product's other state: a
 * handful of operators needs no database, and the file is written whole, atomically, so a crash
 * never leaves half an account list. There is no default account: the first admin is created
 * from the command line.
 */
public final class Accounts {
    public static final String FILE = "console-accounts.json";
    private static final System.Logger LOG = System.getLogger(Accounts.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** Verified when the user is unknown, so that the answer takes as long as for a known one. */
    private static final String DECOY = PasswordHash.hash("decoy".toCharArray());

    private final Path file;
    private final List<Account> accounts;
    /** The file's modification time when last read or written: a change by the command line is read again. */
    private FileTime read;

    private Accounts(Path file, List<Account> accounts, FileTime read) {
        this.file = file;
        this.accounts = accounts;
        this.read = read;
    }

    /** The accounts of the product whose state folder is {@code dir} (none yet: an empty list). */
    public static Accounts in(Path dir) throws IOException {
        Path f = dir.resolve(FILE);
        Accounts a = new Accounts(f, new ArrayList<>(), null);
        a.refresh();
        return a;
    }

    /** Reads the file again if it changed since (an account created from the command line while the console runs). */
    private synchronized void refresh() throws IOException {
        if (!Files.exists(file)) return;
        FileTime now = Files.getLastModifiedTime(file);
        if (now.equals(read)) return;
        OwnerOnly.file(file);
        try {
            List<Account> loaded = JSON.readValue(file.toFile(), new TypeReference<List<Account>>() {});
            accounts.clear();
            accounts.addAll(loaded);
            read = now;
        } catch (IOException | IllegalArgumentException e) {
            throw new IOException("cannot read the console accounts in " + file + ": " + e.getMessage(), e);
        }
    }

    public Path file() { return file; }

    public synchronized List<Account> list() { return List.copyOf(accounts); }

    public synchronized boolean isEmpty() { return accounts.isEmpty(); }

    /** Adds an account; refused if the name is taken or the password shorter than {@link #MIN_PASSWORD}. */
    public synchronized Account create(String user, Role role, char[] password) throws IOException {
        refresh();
        if (password == null || password.length < MIN_PASSWORD) {
            throw new IllegalArgumentException("the password must have at least " + MIN_PASSWORD + " characters");
        }
        if (find(user).isPresent()) throw new IllegalArgumentException("account " + user + " exists already");
        Account a = new Account(user, role, PasswordHash.hash(password));
        List<Account> next = new ArrayList<>(accounts);
        next.add(a);
        save(next);
        return a;
    }

    /** Removes an account; false if there was none of that name. */
    public synchronized boolean remove(String user) throws IOException {
        List<Account> next = new ArrayList<>(accounts);
        if (!next.removeIf(a -> a.user().equals(user))) return false;
        save(next);
        return true;
    }

    public static final int MIN_PASSWORD = 10;

    /** The account if {@code password} is its password; the same work whether the user exists or not. */
    public Optional<Account> authenticate(String user, char[] password) {
        Optional<Account> a;
        synchronized (this) {
            try {
                refresh();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.ERROR, e.getMessage() + " (the accounts read before stay in use)");
            }
            a = find(user);
        }
        boolean ok = PasswordHash.verify(password, a.map(Account::hash).orElse(DECOY));
        return ok ? a : Optional.empty();
    }

    private Optional<Account> find(String user) {
        return accounts.stream().filter(a -> a.user().equals(user)).findFirst();
    }

    private void save(List<Account> next) throws IOException {
        OwnerOnly.folder(file.getParent());
        AtomicFile.write(file, JSON.writeValueAsBytes(next));
        accounts.clear();
        accounts.addAll(next);
        read = Files.getLastModifiedTime(file);
    }
}
