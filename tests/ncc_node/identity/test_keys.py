"""Node key files: mode 0600, optional passphrase, clear refusals, and no secret in repr or logs."""

from __future__ import annotations

import copy
import logging
import os
import pickle
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from ncc_node.errors import KeyFileError
from ncc_node.identity.signing_key import NodeKey, generate_key, load_key, save_key
from ncc_node.integrity.multikey import encode_secret_key
from ncc_node.integrity.proofs import sign

PASS = {"NCC_KEY_PASSPHRASE": "correct horse battery staple"}


def secrets_of(key: NodeKey) -> list[str]:
    """Every spelling of the secret a leak could take."""
    seed = key.private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    pem = key.private_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    body = pem.decode().splitlines()[1]
    return [encode_secret_key(key.private_key), seed.hex(), body, repr(seed)]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_repr_and_str_show_only_public_data(keypair: NodeKey) -> None:
    for text in (repr(keypair), str(keypair), f"{keypair}", f"{keypair!r}"):
        assert "key-1" in text and keypair.public_multikey in text
        assert not any(secret in text for secret in secrets_of(keypair))


def test_a_node_key_cannot_be_pickled_or_copied(keypair: NodeKey) -> None:
    with pytest.raises(TypeError, match="save_key"):
        pickle.dumps(keypair)
    with pytest.raises(TypeError, match="save_key"):
        copy.deepcopy(keypair)


def test_key_ids_are_fragment_safe() -> None:
    for bad in ("", "key 1", "key#1", "ключ", "-x"):
        with pytest.raises(ValueError, match="key id"):
            generate_key(bad)
    assert generate_key("key-2").verification_method("https://n.example/node") == (
        "https://n.example/node#key-2"
    )


def test_save_plain_and_load(tmp_path: Path, keypair: NodeKey) -> None:
    path = save_key(keypair, tmp_path / "key-1.pem", environ={})
    assert mode(path) == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    loaded = load_key(path, environ={})
    assert loaded.key_id == "key-1"  # the file name's stem
    assert loaded.public_multikey == keypair.public_multikey
    assert load_key(path, key_id="key-7", environ={}).key_id == "key-7"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["key-1.pem"]  # no temporary left


def test_mode_is_0600_whatever_the_umask(tmp_path: Path, keypair: NodeKey) -> None:
    previous = os.umask(0)
    try:
        path = save_key(keypair, tmp_path / "key-1.pem", environ={})
    finally:
        os.umask(previous)
    assert mode(path) == 0o600


def test_save_encrypted_and_load(tmp_path: Path, keypair: NodeKey) -> None:
    path = save_key(keypair, tmp_path / "key-1.pem", environ=PASS)
    assert path.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert load_key(path, environ=PASS).public_multikey == keypair.public_multikey

    with pytest.raises(KeyFileError, match="it is encrypted; set NCC_KEY_PASSPHRASE") as missing:
        load_key(path, environ={})
    with pytest.raises(KeyFileError, match="wrong passphrase in NCC_KEY_PASSPHRASE") as wrong:
        load_key(path, environ={"NCC_KEY_PASSPHRASE": "tr0ub4dor&3"})
    for caught in (missing, wrong):
        assert "tr0ub4dor" not in str(caught.value) and caught.value.code == "key_file"


def test_passphrase_variable_name_is_a_parameter(
    tmp_path: Path, keypair: NodeKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OTHER_PASSPHRASE", "s3cret-from-env")
    monkeypatch.delenv("NCC_KEY_PASSPHRASE", raising=False)
    path = save_key(keypair, tmp_path / "k.pem", passphrase_env="OTHER_PASSPHRASE")
    assert b"ENCRYPTED" in path.read_bytes()
    assert load_key(path, passphrase_env="OTHER_PASSPHRASE").public_multikey == (
        keypair.public_multikey
    )
    with pytest.raises(KeyFileError, match="set NCC_KEY_PASSPHRASE"):
        load_key(path)


def test_plain_file_with_a_passphrase_set_is_refused(tmp_path: Path, keypair: NodeKey) -> None:
    path = save_key(keypair, tmp_path / "key-1.pem", environ={})
    with pytest.raises(KeyFileError, match="not encrypted but NCC_KEY_PASSPHRASE is set"):
        load_key(path, environ=PASS)


@pytest.mark.parametrize("too_open", [0o644, 0o640, 0o604, 0o660, 0o700 | 0o004])
def test_too_open_permissions_are_refused(tmp_path: Path, keypair: NodeKey, too_open: int) -> None:
    path = save_key(keypair, tmp_path / "key-1.pem", environ={})
    path.chmod(too_open)
    with pytest.raises(KeyFileError, match=f"permissions {too_open:04o} .* too open.*chmod 600"):
        load_key(path, environ={})


def test_missing_garbage_foreign_and_symlinked_files(tmp_path: Path, keypair: NodeKey) -> None:
    with pytest.raises(KeyFileError, match="not found"):
        load_key(tmp_path / "absent.pem", environ={})

    garbage = tmp_path / "garbage.pem"
    garbage.write_bytes(b"-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n")
    garbage.chmod(0o600)
    with pytest.raises(KeyFileError, match="not a PKCS#8 PEM private key"):
        load_key(garbage, environ={})

    foreign = tmp_path / "ec.pem"
    ec_key = ec.generate_private_key(ec.SECP256R1())
    foreign.write_bytes(ec_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    foreign.chmod(0o600)
    with pytest.raises(KeyFileError, match="does not hold an Ed25519 key"):
        load_key(foreign, environ={})

    real = save_key(keypair, tmp_path / "real.pem", environ={})
    link = tmp_path / "link.pem"
    link.symlink_to(real)
    with pytest.raises(KeyFileError, match="cannot open key file"):
        load_key(link, environ={})


def test_an_existing_key_is_never_overwritten(tmp_path: Path, keypair: NodeKey) -> None:
    path = save_key(keypair, tmp_path / "key-1.pem", environ={})
    before = path.read_bytes()
    with pytest.raises(KeyFileError, match="already exists; refusing to overwrite"):
        save_key(generate_key("key-1"), path, environ={})
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["key-1.pem"]
    with pytest.raises(KeyFileError, match="cannot create key file"):
        save_key(keypair, tmp_path / "no" / "such" / "dir.pem", environ={})


def test_secrets_never_reach_the_logs(
    tmp_path: Path, keypair: NodeKey, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    path = save_key(keypair, tmp_path / "key-1.pem", environ=PASS)
    loaded = load_key(path, environ=PASS)
    sign({"id": "urn:x"}, private_key=loaded.private_key, verification_method="urn:n#key-1")
    logging.getLogger("test").info("using %s / %r", loaded, loaded)
    assert "saved node key key-1" in caplog.text and "loaded node key key-1" in caplog.text
    for secret in [*secrets_of(keypair), PASS["NCC_KEY_PASSPHRASE"]]:
        assert secret not in caplog.text
    assert not any(secret in path.read_text() for secret in secrets_of(keypair))
