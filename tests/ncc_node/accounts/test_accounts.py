"""Accounts in a real store (SQLite, or PostgreSQL with NCC_TEST_DATABASE): Argon2 hashes,
roles, rate-limited sign-in, audit rows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ncc_node.accounts import add_user, set_disabled, set_password, set_role, sign_in
from ncc_node.errors import Conflict, RequestInvalid, SignInFailed, TooManyAttempts
from ncc_node.settings import load_settings
from ncc_node.store import Store, open_store
from tests.databases import test_database

PASSWORD = "correct horse battery staple"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(test_database(tmp_path))
    yield opened
    opened.close()


SETTINGS = load_settings({"web.sign_in_attempts": 3, "web.sign_in_attempts_per_address": 5},
                         environ={})


def test_password_is_stored_as_an_argon2id_hash(store: Store) -> None:
    user = add_user(store, "Ann@Example.EU", role="editor", password=PASSWORD, actor="test")
    assert user.name == "ann@example.eu"  # names never differ by case
    assert user.password_hash is not None and user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    assert sign_in(store, SETTINGS, " ANN@example.eu", PASSWORD, address="a").id == user.id
    assert store.user(user_id=user.id).last_sign_in is not None  # type: ignore[union-attr]


def test_weak_names_and_passwords_are_refused(store: Store) -> None:
    with pytest.raises(RequestInvalid, match="at least 12"):
        add_user(store, "ann", role="editor", password="short", actor="test")
    with pytest.raises(RequestInvalid, match="different characters"):
        add_user(store, "ann", role="editor", password="a" * 20, actor="test")
    with pytest.raises(RequestInvalid, match="not a sign-in name"):
        add_user(store, "a b", role="editor", password=PASSWORD, actor="test")
    with pytest.raises(RequestInvalid, match="role must be"):
        add_user(store, "ann", role="root", password=PASSWORD, actor="test")
    add_user(store, "ann", role="editor", password=PASSWORD, actor="test", email="a@x.eu")
    with pytest.raises(Conflict):
        add_user(store, "ANN", role="editor", password=PASSWORD, actor="test")
    with pytest.raises(Conflict):
        add_user(store, "a@x.eu", role="editor", password=PASSWORD, actor="test")


def test_failed_sign_ins_are_limited_per_name_and_per_address(store: Store) -> None:
    add_user(store, "ann", role="editor", password=PASSWORD, actor="test")
    for _ in range(3):
        with pytest.raises(SignInFailed):
            sign_in(store, SETTINGS, "ann", "wrong password!", address="10.0.0.1")
    with pytest.raises(TooManyAttempts) as limited:
        sign_in(store, SETTINGS, "ann", PASSWORD, address="10.0.0.2")  # right, but too late
    assert 0 < limited.value.retry_after <= 900
    # an unknown name counts like a known one, and the address fills up across names
    for _ in range(2):
        with pytest.raises(SignInFailed):
            sign_in(store, SETTINGS, "nobody", "wrong password!", address="10.0.0.1")
    add_user(store, "bob", role="editor", password=PASSWORD, actor="test")
    with pytest.raises(TooManyAttempts):
        sign_in(store, SETTINGS, "bob", PASSWORD, address="10.0.0.1")
    assert sign_in(store, SETTINGS, "bob", PASSWORD, address="10.0.0.3").name == "bob"


def test_a_success_clears_the_names_failures(store: Store) -> None:
    add_user(store, "ann", role="editor", password=PASSWORD, actor="test")
    for _ in range(2):
        with pytest.raises(SignInFailed):
            sign_in(store, SETTINGS, "ann", "wrong password!", address="b")
    sign_in(store, SETTINGS, "ann", PASSWORD, address="b")
    for _ in range(2):
        with pytest.raises(SignInFailed):
            sign_in(store, SETTINGS, "ann", "wrong password!", address="c")
    assert sign_in(store, SETTINGS, "ann", PASSWORD, address="c").name == "ann"


def test_disable_role_and_password_changes_end_sessions(store: Store) -> None:
    admin = add_user(store, "root", role="admin", password=PASSWORD, actor="test")
    ann = add_user(store, "ann", role="editor", password=PASSWORD, actor="user:root")
    epochs = [ann.session_epoch]
    epochs.append(set_role(store, "ann", "admin", actor="user:root").session_epoch)
    epochs.append(set_password(store, "ann", "another long phrase", actor="cli:user")
                  .session_epoch)
    disabled = set_disabled(store, "ann", True, actor="user:root")
    epochs.append(disabled.session_epoch)
    assert epochs == sorted(set(epochs)) and disabled.disabled
    with pytest.raises(SignInFailed):
        sign_in(store, SETTINGS, "ann", "another long phrase", address="d")
    set_disabled(store, "ann", False, actor="user:root")
    assert sign_in(store, SETTINGS, "ann", "another long phrase", address="d").role == "admin"
    set_role(store, "ann", "editor", actor="user:root")
    with pytest.raises(Conflict, match="last admin"):
        set_role(store, admin.name, "editor", actor="user:root")
    with pytest.raises(Conflict, match="last admin"):
        set_disabled(store, admin.name, True, actor="user:root")
    actions = [(row.actor, row.action) for row in store.audit_log()][::-1]
    assert actions == [("test", "user.add"), ("user:root", "user.add"),
                       ("user:root", "user.role"), ("cli:user", "user.password"),
                       ("user:root", "user.disable"), ("user:root", "user.enable"),
                       ("user:root", "user.role")]


def test_the_node_secret_is_made_once(store: Store, tmp_path: Path) -> None:
    first = store.node_secret("session", lambda: "one")
    other = open_store(test_database(tmp_path))  # another process of the same node
    try:
        assert other.node_secret("session", lambda: "two") == first == "one"
    finally:
        other.close()
