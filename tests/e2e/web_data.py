"""Records the web-page tests publish on a real node (through its publisher, as `ncc import`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ncc_node.context import NodeContext
from ncc_node.store import StoredRecord

XSS_NAME = '<script>document.title="pwned"</script> Night school for parents'


def seed(context: NodeContext, make_payload: Callable[..., dict[str, Any]]
         ) -> dict[str, StoredRecord]:
    """Publish three initiatives: mentoring (education), repair cafés (circular economy, pilot)
    and one whose name carries markup (education)."""
    publish = context.publisher.create
    repair = make_payload(
        name={"en": "Repair cafés in every district", "de": "Reparaturcafés in jedem Bezirk"},
        description={"en": "Neighbours fix household goods together every week."},
        themes=["theme:circular-economy"], sdgs=["sdg:12"], stage="maturity:pilot",
        targetGroups=["tg:older-people"])
    for absent in ("seeksPartners", "seeksPartnersIn", "impact", "results"):
        repair.pop(absent)
    return {
        "mentoring": publish("Initiative", make_payload()),
        "repair": publish("Initiative", repair),
        "xss": publish("Initiative", make_payload(
            name={"en": XSS_NAME},
            description={"en": "Evening <b>classes</b> for parents & carers."},
            themes=["theme:education"], sdgs=["sdg:4"], stage="maturity:proven")),
    }


def uuid_of(record: StoredRecord) -> str:
    """The last segment of a record id."""
    return record.id.rpartition("/")[2]
