//! The ledger's schema and its migrations, numbered by SQLite's `user_version`.
//!
//! A migration is appended, never edited: a database in the field may stand at any
//! version, and each step takes it one further inside one transaction.

pub const MIGRATIONS: &[&str] = &[
    // 1: files, records and the remote writes planned for them.
    r#"
    CREATE TABLE files (
        sha256      TEXT PRIMARY KEY,
        name        TEXT NOT NULL,
        source      TEXT NOT NULL,
        first_seen  TEXT NOT NULL
    );
    CREATE TABLE records (
        id            INTEGER PRIMARY KEY,
        target        TEXT NOT NULL,
        employee      TEXT NOT NULL,
        date          TEXT NOT NULL,
        start         INTEGER NOT NULL,
        end_minutes   INTEGER NOT NULL,
        end_date      TEXT,
        break_minutes INTEGER NOT NULL,
        comment       TEXT,
        content_hash  TEXT NOT NULL,
        state         TEXT NOT NULL CHECK (state IN ('pending', 'done')),
        file_sha256   TEXT,
        row           TEXT,
        created_at    TEXT NOT NULL,
        updated_at    TEXT NOT NULL,
        UNIQUE (target, employee, date, start)
    );
    CREATE TABLE writes (
        id          INTEGER PRIMARY KEY,
        record_id   INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,
        seq         INTEGER NOT NULL,
        op          TEXT NOT NULL CHECK (op IN ('create', 'delete')),
        kind        TEXT NOT NULL,
        start       TEXT NOT NULL,
        end         TEXT NOT NULL,
        comment     TEXT,
        remote_id   TEXT,
        state       TEXT NOT NULL CHECK (state IN ('planned', 'done', 'failed')),
        error       TEXT,
        updated_at  TEXT NOT NULL,
        UNIQUE (record_id, seq, op)
    );
    CREATE INDEX writes_open ON writes(state) WHERE state = 'planned';
    CREATE INDEX records_pending ON records(state) WHERE state = 'pending';
    "#,
    // 2: mails, queued reports, daemon cycles.
    r#"
    CREATE TABLE mails (
        id          INTEGER PRIMARY KEY,
        mailbox     TEXT NOT NULL,
        key         TEXT NOT NULL,
        message_id  TEXT,
        sha256      TEXT NOT NULL,
        sender      TEXT,
        subject     TEXT,
        state       TEXT NOT NULL CHECK (state IN ('processing', 'done', 'failed')),
        attempts    INTEGER NOT NULL DEFAULT 0,
        error       TEXT,
        summary     TEXT,
        moved       INTEGER NOT NULL DEFAULT 0,
        first_seen  TEXT NOT NULL,
        updated_at  TEXT NOT NULL,
        UNIQUE (mailbox, key)
    );
    CREATE INDEX mails_sha256 ON mails(sha256);
    CREATE INDEX mails_message_id ON mails(message_id);
    CREATE TABLE reports (
        id          INTEGER PRIMARY KEY,
        mail_id     INTEGER REFERENCES mails(id),
        sender      TEXT NOT NULL,
        recipients  TEXT NOT NULL,
        message     BLOB NOT NULL,
        state       TEXT NOT NULL CHECK (state IN ('queued', 'sent')),
        attempts    INTEGER NOT NULL DEFAULT 0,
        error       TEXT,
        created_at  TEXT NOT NULL,
        sent_at     TEXT
    );
    CREATE INDEX reports_queued ON reports(state) WHERE state = 'queued';
    CREATE TABLE cycles (
        id           INTEGER PRIMARY KEY,
        started_at   TEXT NOT NULL,
        finished_at  TEXT,
        mails        INTEGER NOT NULL DEFAULT 0,
        imported     INTEGER NOT NULL DEFAULT 0,
        rejected     INTEGER NOT NULL DEFAULT 0,
        duplicates   INTEGER NOT NULL DEFAULT 0,
        conflicts    INTEGER NOT NULL DEFAULT 0,
        failed       INTEGER NOT NULL DEFAULT 0,
        error        TEXT
    );
    "#,
    // 3: sync jobs: watermarks and other small values, and which timr entry became which record.
    r#"
    CREATE TABLE kv (
        key    TEXT PRIMARY KEY,
        value  TEXT NOT NULL
    );
    CREATE TABLE timr_entries (
        timr_id    TEXT PRIMARY KEY,
        record_id  INTEGER NOT NULL,
        locked     INTEGER NOT NULL DEFAULT 0
    );
    "#,
    // 4: two-way sync: which item on one side is which on the other, and what each looked
    // like when last seen; the TimeTrack username of each address; one row per job run.
    r#"
    CREATE TABLE sync_pairs (
        id              INTEGER PRIMARY KEY,
        job             TEXT NOT NULL,
        key             TEXT NOT NULL,
        day             TEXT,
        origin          TEXT NOT NULL CHECK (origin IN ('personio', 'timetrack')),
        personio_id     TEXT,
        personio_hash   TEXT,
        timetrack_id    TEXT,
        timetrack_hash  TEXT,
        pending         TEXT CHECK (pending IN ('personio', 'timetrack')),
        updated_at      TEXT NOT NULL
    );
    CREATE UNIQUE INDEX sync_pairs_personio ON sync_pairs(job, personio_id)
        WHERE personio_id IS NOT NULL;
    CREATE UNIQUE INDEX sync_pairs_timetrack ON sync_pairs(job, timetrack_id)
        WHERE timetrack_id IS NOT NULL;
    CREATE INDEX sync_pairs_day ON sync_pairs(job, day);
    CREATE TABLE timetrack_users (
        email     TEXT PRIMARY KEY,
        username  TEXT NOT NULL,
        user_id   TEXT
    );
    CREATE TABLE sync_runs (
        id           INTEGER PRIMARY KEY,
        job          TEXT NOT NULL,
        started_at   TEXT NOT NULL,
        finished_at  TEXT,
        summary      TEXT,
        problems     INTEGER NOT NULL DEFAULT 0,
        error        TEXT
    );
    CREATE INDEX sync_runs_job ON sync_runs(job, id);
    "#,
];
