"""People's accounts on a node: Argon2 passwords, roles, rate-limited sign-in (docs/web.md).

No Flask here: the web layer (:mod:`ncc_node.web.auth`) keeps the session, the CLI
(``ncc user``) manages accounts, both through these functions.
"""

from .passwords import MIN_LENGTH, check_strength, hash_password, verify_password
from .sign_in import sign_in
from .users import ROLES, add_user, normalise_name, set_disabled, set_password, set_role

__all__ = [
    "MIN_LENGTH",
    "ROLES",
    "add_user",
    "check_strength",
    "hash_password",
    "normalise_name",
    "set_disabled",
    "set_password",
    "set_role",
    "sign_in",
    "verify_password",
]
