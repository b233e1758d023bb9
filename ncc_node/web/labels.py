"""Labels the pages pick by a name at run time (a record's field, a scouting factor, a role),
as lazy gettext messages so ``pybabel extract`` finds every one and each is translated in the
reader's language when shown."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from ..identity import SCOPE_ALLOWS

FIELDS: Mapping[str, LazyString] = {
    "identifier": _l("Identifier"),
    "name": _l("Name"),
    "description": _l("Description"),
    "problem": _l("Problem"),
    "approach": _l("Approach"),
    "results": _l("Results"),
    "impact": _l("Evidence of impact"),
    "transferPotential": _l("Transfer potential"),
    "leadOrganisation": _l("Lead organisation"),
    "partners": _l("Partners"),
    "website": _l("Website"),
    "license": _l("Licence"),
    "startDate": _l("Start date"),
    "endDate": _l("End date"),
    "countries": _l("Countries"),
    "regions": _l("Regions"),
    "languages": _l("Languages"),
    "sdgs": _l("SDGs"),
    "stage": _l("Maturity stage"),
    "themes": _l("Themes"),
    "targetGroups": _l("Target groups"),
    "fundingProgrammes": _l("Funding programmes"),
    "usesMethods": _l("Methods used"),
    "replicates": _l("Replicates"),
    "adapts": _l("Adapts"),
    "seeksPartners": _l("Seeks partners"),
    "seeksPartnersIn": _l("Partners sought in"),
    "methodTypes": _l("Method types"),
}

# the factors of the scouting score (issue 6); an unknown factor is shown by its name
FACTORS: Mapping[str, LazyString] = {
    "relevance": _l("text relevance"),
    "maturity": _l("maturity"),
    "impact": _l("evidence of impact"),
    "transfer": _l("transfer readiness"),
    "partners": _l("seeks partners in the target country"),
    "replications": _l("replications elsewhere"),
    "recency": _l("recency"),
}

ROLES: Mapping[str, LazyString] = {"editor": _l("editor"), "admin": _l("admin")}

ROLE_POWERS: Mapping[str, LazyString] = {
    "editor": _l("You may create, edit and retire this node's records and work the review "
                 "queue."),
    "admin": _l("You may do what editors do, and manage accounts, peers, moderation and "
                "tokens."),
}

# what the accounts page says after a change (?done=…)
DONE: Mapping[str, LazyString] = {
    "added": _l("The account was added."),
    "role": _l("The role was changed; that person's sessions have ended."),
    "disabled": _l("The account was disabled; its sessions have ended."),
    "enabled": _l("The account was enabled."),
    "revoked": _l("The token was revoked: requests carrying it are refused from now on."),
}

# what an API token's scope allows (ncc_node.identity.SCOPES)
SCOPE_POWERS: Mapping[str, LazyString] = {
    scope: _l(allows) for scope, allows in SCOPE_ALLOWS.items()  # msgids marked in tokens.py
}

# a peer's health on the peers page (ncc_node.web.admin_access.peer_health)
PEER_HEALTH: Mapping[str, LazyString] = {
    "ok": _l("Healthy"),
    "failing": _l("Failing"),
    "never": _l("Not synced yet"),
}

# the statistics' dimensions (ncc_node.reports.stats)
DIMENSIONS: Mapping[str, LazyString] = {
    "sdg": _l("Sustainable Development Goal"),
    "stage": _l("Maturity stage"),
    "theme": _l("Theme"),
    "target_group": _l("Target group"),
    "method_type": _l("Method types"),
}


def _picker(labels: Mapping[str, LazyString]) -> object:
    def label(name: str) -> str:
        found = labels.get(name)
        return name if found is None else str(found)
    return label


#: template globals: ``field_label("name")`` and kin (the name itself when unknown)
TEMPLATE_LABELS = {"field_label": _picker(FIELDS), "factor_label": _picker(FACTORS),
                   "role_label": _picker(ROLES), "role_powers": _picker(ROLE_POWERS),
                   "done_message": _picker(DONE), "dimension_label": _picker(DIMENSIONS),
                   "health_label": _picker(PEER_HEALTH), "scope_label": _picker(SCOPE_POWERS)}
