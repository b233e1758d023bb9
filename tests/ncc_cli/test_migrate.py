"""``ncc migrate --to postgresql://…``: a SQLite node moved into PostgreSQL, digests equal."""

from __future__ import annotations

from pathlib import Path

from ncc_node.store import Hidden, PeerState, RecordFilter, SqliteStore, User, open_store
from tests.databases import postgres_only, test_database

from .conftest import SAMPLE_CSV, Invoke, node_at

pytestmark = postgres_only


def test_a_node_moves_with_its_state_and_serves_the_same(ncc: Invoke, node_config: Path,
                                                        tmp_path: Path) -> None:
    assert ncc("import", SAMPLE_CSV, "--config", node_config).exit_code == 0
    assert ncc("token", "create", "ops", "--config", node_config).exit_code == 0
    with node_at(node_config) as node:
        with node.store.write() as writer:
            writer.save_peer(PeerState("http://127.0.0.1:9", cursor="17",
                                       counts={"accepted": 4}, health={"errors": {"http": 1}}))
            writer.quarantine(peer="http://127.0.0.1:9", record_id="urn:x", reason="bad_proof",
                              detail="does not verify", body=b'{"x": 1}')
            writer.schedule_retry(peer="http://127.0.0.1:9", record_id="urn:y", origin=None,
                                  reason="damaged", next_at="2026-01-01T00:00:00Z")
            hidden = node.store.list_records(RecordFilter(kind="Initiative"), after=None,
                                             limit=1)[0].id
            writer.hide(Hidden(hidden, "record", "spam", False, "user:ann",
                               "2026-01-01T00:00:00Z"))
            writer.save_draft(kind="Initiative", record_id=hidden, base_version=1,
                              payload={"name": {"en": "Draft"}}, author="user:ann")
            writer.hold("Initiative", {"identifier": "ext-9"}, [("spam", "links")], "x.csv")
        node.store.add_user(User(0, "ann", "editor", "2026-01-01T00:00:00Z", password_hash="h"))
        node.store.node_secret("session", lambda: "s3cret")
    before = ncc("digest", "--config", node_config)
    url = str(test_database(tmp_path / "pg"))
    result = ncc("migrate", "--to", url, "--config", node_config)
    assert result.exit_code == 0, result.output
    assert "Copied 4 record(s)" in result.output  # 3 rows of the sample and the descriptor
    source, target = SqliteStore(node_config.parent / "node.db"), open_store(url)
    try:
        assert source.changes(0, 100) == target.changes(0, 100)  # same bytes, same numbers
        assert [r.received_at for r in source.iter_records()] == [
            r.received_at for r in target.iter_records()]
        assert source.peers() == target.peers() and source.tokens() == target.tokens()
        assert source.quarantined() == target.quarantined()
        assert source.due_retries("http://127.0.0.1:9", now="2027-01-01T00:00:00Z", limit=5) == (
            target.due_retries("http://127.0.0.1:9", now="2027-01-01T00:00:00Z", limit=5))
        origin = source.changes(0, 1)[0]
        node_iri = [p for p in source.origin_digests()][0]
        assert source.descriptor_history(node_iri, after=0, limit=9) == (
            target.descriptor_history(node_iri, after=0, limit=9)) and origin
        # accounts, audit log, secrets, drafts, review queue and moderation moved too; the
        # hidden record is left out of the target's indexes as it was of the source's
        assert source.users() == target.users() and source.audit_log() == target.audit_log()
        assert target.node_secret("session", lambda: "new") == "s3cret"
        assert source.drafts() == target.drafts() and source.draft_of(hidden)
        assert source.held_records() == target.held_records()
        assert source.hidden() == target.hidden()
        assert source.moderation_version() == target.moderation_version() == 1
        assert source.changes(0, 100, relayed_only=True) == target.changes(
            0, 100, relayed_only=True) != source.changes(0, 100)
        assert target.candidates.analysed_text(hidden) is None
        assert source.candidates.analysed_text(hidden) is None
        # a new token after the copy does not collide with a copied id
        assert target.add_user(User(0, "bob", "admin", "2026-01-01T00:00:00Z")).id == 2
        assert target.add_token("next", "n" * 64, ["read"]).id == source.tokens()[-1].id + 1
    finally:
        source.close()
        target.close()
    after = ncc("digest", "--config", node_config, env={"NCC_NODE_DATABASE": url})
    assert after.exit_code == 0, after.output
    assert after.output == before.output  # `ncc digest` of the node on PostgreSQL


def test_refuses_a_database_that_holds_records(ncc: Invoke, node_config: Path,
                                              tmp_path: Path) -> None:
    url = str(test_database(tmp_path / "pg"))
    assert ncc("migrate", "--to", url, "--config", node_config).exit_code == 0
    again = ncc("migrate", "--to", url, "--config", node_config)
    assert again.exit_code != 0 and "is not empty" in again.output
    assert ncc("migrate", "--to", "/tmp/x.db", "--config", node_config).exit_code != 0
