"""The PostgreSQL schema, versioned in ``ncc_schema``: migration N brings N-1 to N.

The numbers are SQLite's (:mod:`.schema`): schema version N means the same tables and the same
meaning on both backends, so ``ncc migrate`` and the tests can compare them. Where SQLite
changed a layout that PostgreSQL never had (2: concept labels out of the text; 3: facets as
integer postings), the PostgreSQL migration has nothing to change. Every text column compares
bytewise (``COLLATE "C"``), as SQLite's do: ids page in the same order on both.
"""

from __future__ import annotations

T = 'text COLLATE "C"'

PG_MIGRATIONS: tuple[str, ...] = (
    # 1: records with their local sequence, facet postings, tokens, peers, quarantine; SQLite's
    # instr() on a body (the replication links' byte search, store/candidate_sql.py)
    f"""
    CREATE TABLE records (
        rowid bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id {T} NOT NULL UNIQUE,
        kind {T} NOT NULL,
        origin {T} NOT NULL,
        version integer NOT NULL,
        modified {T} NOT NULL,
        deleted smallint NOT NULL DEFAULT 0,
        seq bigint NOT NULL UNIQUE,
        body bytea NOT NULL,
        etag {T} NOT NULL,
        proof_value {T} NOT NULL,
        identifier {T},
        received_from {T},
        received_at {T} NOT NULL
    );
    CREATE INDEX records_origin_seq ON records (origin, seq);
    CREATE INDEX records_kind_id ON records (kind, deleted, id);
    CREATE INDEX records_identifier ON records (origin, identifier) WHERE identifier IS NOT NULL;
    CREATE INDEX records_uuid ON records (kind, right(id, 37));
    CREATE TABLE counters (name {T} PRIMARY KEY, value bigint NOT NULL);
    INSERT INTO counters (name, value) VALUES ('seq', 0), ('text_rows', 0), ('text_tokens', 0);
    CREATE TABLE facet_keys (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        facet {T} NOT NULL,
        value {T} NOT NULL,
        UNIQUE (facet, value)
    );
    CREATE TABLE facet_postings (
        key bigint NOT NULL,
        record bigint NOT NULL,
        PRIMARY KEY (key, record)
    );
    CREATE INDEX facet_postings_record ON facet_postings (record);
    CREATE VIEW facets (facet, value, record) AS
        SELECT k.facet, k.value, p.record FROM facet_postings p JOIN facet_keys k ON k.id = p.key;
    CREATE TABLE keys (
        id {T} PRIMARY KEY,
        origin {T} NOT NULL,
        public_key {T} NOT NULL,
        created {T} NOT NULL,
        retired {T}
    );
    CREATE INDEX keys_origin ON keys (origin);
    CREATE TABLE tokens (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        name {T} NOT NULL UNIQUE,
        hash {T} NOT NULL UNIQUE,
        scopes {T} NOT NULL,
        created {T} NOT NULL,
        last_used {T},
        revoked {T}
    );
    CREATE TABLE peers (
        base_url {T} PRIMARY KEY,
        scope {T} NOT NULL DEFAULT 'own',
        node_iri {T},
        cursor {T},
        last_success {T},
        last_error {T},
        last_error_at {T},
        counts {T} NOT NULL DEFAULT '{{}}'
    );
    CREATE TABLE quarantine (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        peer {T} NOT NULL,
        record_id {T},
        reason {T} NOT NULL,
        detail {T} NOT NULL,
        body bytea NOT NULL,
        received_at {T} NOT NULL
    );
    CREATE INDEX quarantine_record ON quarantine (record_id);
    CREATE FUNCTION instr(haystack bytea, needle text) RETURNS integer
        LANGUAGE sql IMMUTABLE STRICT
        AS $$ SELECT position(convert_to(needle, 'UTF8') in haystack) $$;
    """,
    # 2: concept tokens instead of labels in the text: the text index comes with 6
    "",
    # 3: facets as integer postings: PostgreSQL has had them from 1
    "",
    # 4: quarantine kept once with a counter; retries; descriptor history; peer health
    f"""
    ALTER TABLE quarantine ADD COLUMN digest bytea;
    ALTER TABLE quarantine ADD COLUMN times integer NOT NULL DEFAULT 1;
    ALTER TABLE quarantine ADD COLUMN last_seen {T};
    CREATE UNIQUE INDEX quarantine_peer_digest ON quarantine (peer, digest);
    CREATE INDEX quarantine_peer ON quarantine (peer, id);
    CREATE TABLE sync_retry (
        peer {T} NOT NULL,
        record_id {T} NOT NULL,
        origin {T},
        reason {T} NOT NULL,
        attempts integer NOT NULL,
        next_at {T} NOT NULL,
        first_at {T} NOT NULL,
        PRIMARY KEY (peer, record_id)
    );
    CREATE TABLE descriptor_history (
        origin {T} NOT NULL,
        version integer NOT NULL,
        body bytea NOT NULL,
        PRIMARY KEY (origin, version)
    );
    INSERT INTO descriptor_history (origin, version, body)
        SELECT id, version, body FROM records WHERE kind = 'Node' AND deleted = 0;
    ALTER TABLE peers ADD COLUMN health {T} NOT NULL DEFAULT '{{}}';
    """,
    # 5: records the RDF view could not convert
    f"""
    CREATE TABLE view_skips (
        record_id {T} PRIMARY KEY,
        seq bigint NOT NULL,
        reason {T} NOT NULL
    );
    """,
    # 6: the text index: analysed columns as written (what a text hit returns), their tokens
    # as FTS5 cuts them (pg_text.tokens), the row's token count for bm25, and a weighted
    # tsvector generated from the tokens, indexed with GIN; filled by the store after this
    f"""
    CREATE TABLE record_text (
        rowid bigint PRIMARY KEY,
        name {T} NOT NULL,
        description {T} NOT NULL,
        body {T} NOT NULL,
        concepts {T} NOT NULL,
        name_t text[] NOT NULL,
        description_t text[] NOT NULL,
        body_t text[] NOT NULL,
        concepts_t text[] NOT NULL,
        tokens integer NOT NULL,
        doc tsvector GENERATED ALWAYS AS (
            setweight(array_to_tsvector(name_t), 'A') ||
            setweight(array_to_tsvector(description_t), 'B') ||
            setweight(array_to_tsvector(body_t), 'C') ||
            setweight(array_to_tsvector(concepts_t), 'D')) STORED
    );
    CREATE INDEX record_text_doc ON record_text USING gin (doc);
    """,
    # 7: named editor accounts: users, failed sign-ins, the audit log, the node's own secrets
    f"""
    CREATE TABLE users (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        name {T} NOT NULL UNIQUE,
        email {T},
        display_name {T} NOT NULL DEFAULT '',
        password_hash {T},
        role {T} NOT NULL,
        created {T} NOT NULL,
        disabled {T},
        last_sign_in {T},
        session_epoch integer NOT NULL DEFAULT 0,
        oidc_subject {T} UNIQUE
    );
    CREATE UNIQUE INDEX users_email ON users (email) WHERE email IS NOT NULL;
    CREATE TABLE sign_in_failures (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        key {T} NOT NULL,
        at {T} NOT NULL
    );
    CREATE INDEX sign_in_failures_key ON sign_in_failures (key, at);
    CREATE TABLE audit_log (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at {T} NOT NULL,
        actor {T} NOT NULL,
        action {T} NOT NULL,
        record_id {T},
        version integer,
        detail {T} NOT NULL DEFAULT ''
    );
    CREATE INDEX audit_log_record ON audit_log (record_id, id);
    CREATE TABLE node_secrets (
        name {T} PRIMARY KEY,
        value {T} NOT NULL
    );
    """,
    # 8: drafts of this node's records, the review queue of held imports, hidden records/origins
    f"""
    CREATE TABLE drafts (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        kind {T} NOT NULL,
        record_id {T} UNIQUE,
        base_version integer NOT NULL,
        payload {T} NOT NULL,
        revision integer NOT NULL,
        author {T},
        created {T} NOT NULL,
        updated {T} NOT NULL
    );
    CREATE TABLE review_queue (
        identifier {T} PRIMARY KEY,
        kind {T} NOT NULL,
        payload {T} NOT NULL,
        reasons {T} NOT NULL,
        source {T} NOT NULL,
        status {T} NOT NULL DEFAULT 'held',
        held_at {T} NOT NULL,
        decision {T},
        decided_by {T},
        decided_at {T}
    );
    CREATE INDEX review_queue_status ON review_queue (status, held_at);
    CREATE TABLE hidden (
        target {T} PRIMARY KEY,
        scope {T} NOT NULL,
        reason {T} NOT NULL,
        relay smallint NOT NULL DEFAULT 1,
        hidden_by {T},
        hidden_at {T} NOT NULL
    );
    INSERT INTO counters (name, value) VALUES ('moderation', 0);
    """,
    # 9: push shared by every process on the database: subscribers, messages for the leader
    f"""
    CREATE TABLE push_subscribers (
        callback {T} NOT NULL,
        scope {T} NOT NULL,
        expires bigint NOT NULL,
        told {T},
        PRIMARY KEY (callback, scope)
    );
    CREATE TABLE push_inbox (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        message {T} NOT NULL
    );
    """,
    # 10: a count of reindexes (derived entries changed without a new sequence number)
    """
    INSERT INTO counters (name, value) VALUES ('reindex', 0);
    """,
)

#: Migrations after which the store derives the text index from the records' bodies.
PG_TEXT_REBUILDS = frozenset({6})
