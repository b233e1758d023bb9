"""The SQLite schema, versioned with ``PRAGMA user_version``: migration N brings N-1 to N."""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    # 1: records with their local sequence, derived indexes, tokens, peers, quarantine
    """
    CREATE TABLE records (
        rowid INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        origin TEXT NOT NULL,
        version INTEGER NOT NULL,
        modified TEXT NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0,
        seq INTEGER NOT NULL UNIQUE,
        body BLOB NOT NULL,
        etag TEXT NOT NULL,
        proof_value TEXT NOT NULL,
        identifier TEXT,
        received_from TEXT,
        received_at TEXT NOT NULL
    );
    CREATE INDEX records_origin_seq ON records (origin, seq);
    CREATE INDEX records_kind_id ON records (kind, deleted, id);
    CREATE INDEX records_identifier ON records (origin, identifier) WHERE identifier IS NOT NULL;
    CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
    INSERT INTO counters (name, value) VALUES ('seq', 0);
    CREATE TABLE facets (
        facet TEXT NOT NULL,
        value TEXT NOT NULL,
        record INTEGER NOT NULL,
        PRIMARY KEY (facet, value, record)
    ) WITHOUT ROWID;
    CREATE INDEX facets_record ON facets (record);
    CREATE VIRTUAL TABLE record_text USING fts5 (
        text, tokenize = 'unicode61 remove_diacritics 2'
    );
    CREATE TABLE keys (
        id TEXT PRIMARY KEY,
        origin TEXT NOT NULL,
        public_key TEXT NOT NULL,
        created TEXT NOT NULL,
        retired TEXT
    );
    CREATE INDEX keys_origin ON keys (origin);
    CREATE TABLE tokens (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        hash TEXT NOT NULL UNIQUE,
        scopes TEXT NOT NULL,
        created TEXT NOT NULL,
        last_used TEXT,
        revoked TEXT
    );
    CREATE TABLE peers (
        base_url TEXT PRIMARY KEY,
        scope TEXT NOT NULL DEFAULT 'own',
        node_iri TEXT,
        cursor TEXT,
        last_success TEXT,
        last_error TEXT,
        last_error_at TEXT,
        counts TEXT NOT NULL DEFAULT '{}'
    );
    CREATE TABLE quarantine (
        id INTEGER PRIMARY KEY,
        peer TEXT NOT NULL,
        record_id TEXT,
        reason TEXT NOT NULL,
        detail TEXT NOT NULL,
        body BLOB NOT NULL,
        received_at TEXT NOT NULL
    );
    CREATE INDEX quarantine_record ON quarantine (record_id);
    """,
    # 2: the text index holds concept tokens instead of concept labels (store/textquery.py);
    # the store re-derives every record's text after this (TEXT_REBUILDS)
    """
    DELETE FROM record_text;
    """,
    # 3: facets as integer postings: each (facet, value) pair is stored once in facet_keys and
    # a record's ~11 facet entries are (key, record) integer pairs, a fifth of the bytes the
    # sync writes into the facet B-trees per record (issue 5). The view keeps the old shape
    # for every read; the store writes the two tables.
    """
    CREATE TABLE facet_keys (
        id INTEGER PRIMARY KEY,
        facet TEXT NOT NULL,
        value TEXT NOT NULL,
        UNIQUE (facet, value)
    );
    CREATE TABLE facet_postings (
        key INTEGER NOT NULL,
        record INTEGER NOT NULL,
        PRIMARY KEY (key, record)
    ) WITHOUT ROWID;
    CREATE INDEX facet_postings_record ON facet_postings (record);
    INSERT INTO facet_keys (facet, value) SELECT DISTINCT facet, value FROM facets;
    INSERT INTO facet_postings (key, record)
        SELECT k.id, f.record FROM facets f JOIN facet_keys k
        ON k.facet = f.facet AND k.value = f.value;
    DROP TABLE facets;
    CREATE VIEW facets (facet, value, record) AS
        SELECT k.facet, k.value, p.record FROM facet_postings p JOIN facet_keys k ON k.id = p.key;
    """,
    # 4: sync that converges (docs/sync.md): a reject re-served with the same bytes is kept once
    # with a counter; ids pending a retry from the source; every descriptor version held, so a
    # node can serve the chain of its rotations (protocol.md §6.2); each peer's health since
    # its last success
    """
    ALTER TABLE quarantine ADD COLUMN digest BLOB;
    ALTER TABLE quarantine ADD COLUMN times INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE quarantine ADD COLUMN last_seen TEXT;
    CREATE UNIQUE INDEX quarantine_peer_digest ON quarantine (peer, digest);
    CREATE INDEX quarantine_peer ON quarantine (peer, id);
    CREATE TABLE sync_retry (
        peer TEXT NOT NULL,
        record_id TEXT NOT NULL,
        origin TEXT,
        reason TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        next_at TEXT NOT NULL,
        first_at TEXT NOT NULL,
        PRIMARY KEY (peer, record_id)
    ) WITHOUT ROWID;
    CREATE TABLE descriptor_history (
        origin TEXT NOT NULL,
        version INTEGER NOT NULL,
        body BLOB NOT NULL,
        PRIMARY KEY (origin, version)
    ) WITHOUT ROWID;
    INSERT INTO descriptor_history (origin, version, body)
        SELECT id, version, body FROM records WHERE kind = 'Node' AND deleted = 0;
    ALTER TABLE peers ADD COLUMN health TEXT NOT NULL DEFAULT '{}';
    """,
    # 5: records the RDF view could not convert (left out of SPARQL, listed for the operator);
    # written by the query processes, which hold the view (ncc_node/rdfview/worker.py)
    """
    CREATE TABLE view_skips (
        record_id TEXT PRIMARY KEY,
        seq INTEGER NOT NULL,
        reason TEXT NOT NULL
    ) WITHOUT ROWID;
    """,
    # 6: the text index holds analysed terms (stems by each text's language) in weighted
    # columns, plus a column of concept tokens, publisher's and inferred (store/textquery.py);
    # the store re-derives every record's text and inferred facets after this
    """
    DROP TABLE record_text;
    CREATE VIRTUAL TABLE record_text USING fts5 (
        name, description, body, concepts, tokenize = 'unicode61 remove_diacritics 2'
    );
    CREATE VIRTUAL TABLE record_terms USING fts5vocab (record_text, 'row');
    """,
    # 7: named editor accounts (docs/web.md): users with an argon2 password hash and a role,
    # failed sign-ins for rate limiting, the audit log of every change made through the node,
    # and the node's own secrets (the key that signs session cookies)
    """
    CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        email TEXT,
        display_name TEXT NOT NULL DEFAULT '',
        password_hash TEXT,
        role TEXT NOT NULL,
        created TEXT NOT NULL,
        disabled TEXT,
        last_sign_in TEXT,
        session_epoch INTEGER NOT NULL DEFAULT 0,
        oidc_subject TEXT UNIQUE
    );
    CREATE UNIQUE INDEX users_email ON users (email) WHERE email IS NOT NULL;
    CREATE TABLE sign_in_failures (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL,
        at TEXT NOT NULL
    );
    CREATE INDEX sign_in_failures_key ON sign_in_failures (key, at);
    CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        record_id TEXT,
        version INTEGER,
        detail TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX audit_log_record ON audit_log (record_id, id);
    CREATE TABLE node_secrets (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) WITHOUT ROWID;
    """,
    # 8: editing in the browser and moderation (docs/web.md): drafts of this node's records
    # (stored, never signed, never in the feed), the review queue of records an import held as
    # suspected spam or junk, and the peers' records or origins this node hides (still stored
    # and verifiable; their derived index entries are dropped, so scouting, statistics and the
    # pages leave them out)
    """
    CREATE TABLE drafts (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        record_id TEXT UNIQUE,
        base_version INTEGER NOT NULL,
        payload TEXT NOT NULL,
        revision INTEGER NOT NULL,
        author TEXT,
        created TEXT NOT NULL,
        updated TEXT NOT NULL
    );
    CREATE TABLE review_queue (
        identifier TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL,
        reasons TEXT NOT NULL,
        source TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'held',
        held_at TEXT NOT NULL,
        decision TEXT,
        decided_by TEXT,
        decided_at TEXT
    );
    CREATE INDEX review_queue_status ON review_queue (status, held_at);
    CREATE TABLE hidden (
        target TEXT PRIMARY KEY,
        scope TEXT NOT NULL,
        reason TEXT NOT NULL,
        relay INTEGER NOT NULL DEFAULT 1,
        hidden_by TEXT,
        hidden_at TEXT NOT NULL
    );
    INSERT INTO counters (name, value) VALUES ('moderation', 0);
    """,
    # 9: push shared by every process on the database (docs/sync.md): the subscribers the
    # leading sync daemon notifies, and the messages other processes' HTTP workers took for it
    """
    CREATE TABLE push_subscribers (
        callback TEXT NOT NULL,
        scope TEXT NOT NULL,
        expires INTEGER NOT NULL,
        told TEXT,
        PRIMARY KEY (callback, scope)
    );
    CREATE TABLE push_inbox (
        id INTEGER PRIMARY KEY,
        message TEXT NOT NULL
    );
    """,
    # 10: a count of reindexes: a reindex changes derived index entries without a new sequence
    # number, and what a process holds of them (scouting's postings, store/posting_cache.py)
    # is kept by these counters
    """
    INSERT INTO counters (name, value) VALUES ('reindex', 0);
    """,
)

#: Migrations after which the store re-derives the text index from the records' bodies.
TEXT_REBUILDS = frozenset({2, 6})
