"""``ncc user``: the accounts people sign in to the web pages with (editors and admins)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ncc_node.accounts import ROLES, add_user, set_disabled, set_password, set_role

from .node_access import config_option, opened_node

ACTOR = "cli:user"


def _password(from_stdin: bool) -> str:
    """The password from one line of standard input, else asked for twice, never echoed."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


@click.group()
def user() -> None:
    """Accounts for the web pages: editors publish and edit, admins also manage the node."""


@user.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), default="editor", show_default=True,
              help="editor: records and review queue; admin: also accounts, peers, tokens.")
@click.option("--email", default=None, help="E-mail address (also accepted as sign-in name).")
@click.option("--display-name", default="", help="What the pages call the person.")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from the first line of standard input (scripts).")
@click.option("--sso-only", is_flag=True,
              help="No password: the person signs in through the identity provider "
                   "([web] oidc_issuer) with the verified e-mail address --email (or NAME).")
@config_option
def user_add(name: str, role: str, email: str | None, display_name: str, password_stdin: bool,
             sso_only: bool, config: Path | None) -> None:
    """Create an account NAME (a user name or an e-mail address)."""
    if sso_only and email is None and "@" in name:
        email = name
    password = None if sso_only else _password(password_stdin)
    with opened_node(config) as node:
        created = add_user(node.store, name, role=role, password=password, email=email,
                           display_name=display_name, actor=ACTOR)
    click.echo(f"Account {created.name!r} created as {created.role}; sign in at "
               f"{node.identity.base_url}/web/sign-in")


@user.command("list")
@config_option
def user_list(config: Path | None) -> None:
    """List accounts: name, role, state, last sign-in (passwords are never shown)."""
    with opened_node(config) as node:
        users = node.store.users()
    if not users:
        click.echo("No accounts. Create one with `ncc user add NAME --role admin`.")
        return
    click.echo(f"{'NAME':32} {'ROLE':7} {'CREATED':21} {'LAST SIGN-IN':21} STATE")
    for item in users:
        state = f"disabled {item.disabled}" if item.disabled else "active"
        click.echo(f"{item.name:32} {item.role:7} {item.created:21} "
                   f"{item.last_sign_in or '-':21} {state}")


def _state_command(disabled: bool, help_text: str) -> None:
    @user.command("disable" if disabled else "enable", help=help_text)
    @click.argument("name")
    @config_option
    def change(name: str, config: Path | None) -> None:
        with opened_node(config) as node:
            set_disabled(node.store, name, disabled, actor=ACTOR)
        click.echo(f"Account {name!r} {'disabled' if disabled else 'enabled'}.")


_state_command(True, "Disable an account: it can no longer sign in, and its open sessions "
                     "end at once.")
_state_command(False, "Enable a disabled account again.")


@user.command("role")
@click.argument("name")
@click.argument("role", type=click.Choice(ROLES))
@config_option
def user_role(name: str, role: str, config: Path | None) -> None:
    """Give an account another role (its open sessions end)."""
    with opened_node(config) as node:
        set_role(node.store, name, role, actor=ACTOR)
    click.echo(f"Account {name!r} is now {role}.")


@user.command("password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from the first line of standard input (scripts).")
@config_option
def user_password(name: str, password_stdin: bool, config: Path | None) -> None:
    """Set a new password for an account (its open sessions end)."""
    password = _password(password_stdin)
    with opened_node(config) as node:
        set_password(node.store, name, password, actor=ACTOR)
    click.echo(f"Password of {name!r} changed.")
