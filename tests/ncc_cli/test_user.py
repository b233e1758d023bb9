"""``ncc user add|list|disable|enable|role|password`` on a real node."""

from __future__ import annotations

from pathlib import Path

from ncc_node.accounts import sign_in

from .conftest import Invoke, node_at

PASSWORD = "correct horse battery staple\n"


def test_add_list_role_disable(ncc: Invoke, node_config: Path) -> None:
    added = ncc("user", "add", "Ann", "--role", "admin", "--email", "ann@example.eu",
                "--password-stdin", "--config", node_config, input=PASSWORD)
    assert added.exit_code == 0, added.output
    assert "Account 'ann' created as admin; sign in at http://127.0.0.1:8471/web/sign-in" \
        in added.output
    assert ncc("user", "add", "bob", "--password-stdin", "--config", node_config,
               input=PASSWORD).exit_code == 0
    listed = ncc("user", "list", "--config", node_config).output
    assert [line.split()[:2] for line in listed.splitlines()[1:]] == [["ann", "admin"],
                                                                      ["bob", "editor"]]
    assert PASSWORD.strip() not in listed and "argon2" not in listed
    assert ncc("user", "role", "bob", "admin", "--config", node_config).exit_code == 0
    assert ncc("user", "disable", "bob", "--config", node_config).exit_code == 0
    assert "disabled 20" in ncc("user", "list", "--config", node_config).output
    with node_at(node_config) as node:
        actions = [row.action for row in node.store.audit_log()]
        assert actions[:3] == ["user.disable", "user.role", "user.add"]
        assert {row.actor for row in node.store.audit_log()} == {"cli:user"}
    assert ncc("user", "enable", "bob", "--config", node_config).exit_code == 0
    changed = ncc("user", "password", "bob", "--password-stdin", "--config", node_config,
                  input="a different long phrase\n")
    assert changed.exit_code == 0, changed.output
    with node_at(node_config) as node:
        assert sign_in(node.store, node.settings, "bob", "a different long phrase",
                       address="cli").role == "admin"


def test_bad_input_is_a_clear_error(ncc: Invoke, node_config: Path) -> None:
    weak = ncc("user", "add", "ann", "--password-stdin", "--config", node_config,
               input="short\n")
    assert weak.exit_code != 0 and "at least 12 characters" in weak.output
    assert ncc("user", "add", "ann", "--password-stdin", "--config", node_config,
               input=PASSWORD).exit_code == 0
    twice = ncc("user", "add", "ANN", "--password-stdin", "--config", node_config,
                input=PASSWORD)
    assert twice.exit_code != 0 and "already has that name" in twice.output
    missing = ncc("user", "disable", "nobody", "--config", node_config)
    assert missing.exit_code != 0 and "no account named 'nobody'" in missing.output
    role = ncc("user", "role", "ann", "root", "--config", node_config)
    assert role.exit_code != 0


def test_an_sso_only_account_has_no_password(ncc: Invoke, node_config: Path) -> None:
    added = ncc("user", "add", "Ann@ncc.example", "--sso-only", "--config", node_config)
    assert added.exit_code == 0, added.output
    with node_at(node_config) as node:
        user = node.store.user(name="ann@ncc.example")
        assert user is not None and user.password_hash is None
        assert user.email == "ann@ncc.example"
    refused = ncc("user", "add", "bob", "--sso-only", "--config", node_config)
    assert refused.exit_code != 0 and "e-mail address" in refused.output
