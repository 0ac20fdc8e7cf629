"""Drive Tenancy's organization-group API with Waldur's own Python SDK (waldur-api-client).

Run by tests/api/sdk.rs against a freshly spawned service on an empty database:

    TENANCY_BASE_URL   http://127.0.0.1:<port>
    TENANCY_TOKEN      a staff user's token
    TENANCY_USERNAME   a non-staff user that has a password ...
    TENANCY_PASSWORD   ... and this is it

Covers every Python example of seed 002 (organization_groups_list / _retrieve / _create /
_update / _partial_update / _destroy) with the response shapes it documents, plus the tree
rules, memberships and customer filters of spec 04 (§2, §5, §7, §11). Every step prints one
progress line; any failed assertion or SDK exception ends the script with a non-zero exit
status (and a traceback naming the step).
"""

import asyncio
import json
import os
import sys
import time
from importlib.metadata import version
from urllib.parse import parse_qs, urlparse
from uuid import UUID

import httpx
from waldur_api_client import errors
from waldur_api_client.api.api_auth import api_auth_password
from waldur_api_client.api.customers import (
    customers_count,
    customers_create,
    customers_list,
    customers_retrieve,
    customers_update_organization_groups,
)
from waldur_api_client.api.organization_groups import (
    organization_groups_count,
    organization_groups_create,
    organization_groups_destroy,
    organization_groups_list,
    organization_groups_partial_update,
    organization_groups_retrieve,
    organization_groups_update,
)
from waldur_api_client.client import AuthenticatedClient, Client
from waldur_api_client.models import (
    Customer,
    CustomerRequest,
    ObtainAuthTokenRequest,
    OrganizationGroup,
    OrganizationGroupRequest,
    OrganizationGroupsRequest,
    PatchedOrganizationGroupRequest,
)
from waldur_api_client.types import Unset
from waldur_api_client.utils import parse_link_header

BASE_URL = os.environ["TENANCY_BASE_URL"].rstrip("/")
STAFF_TOKEN = os.environ["TENANCY_TOKEN"]
USERNAME = os.environ["TENANCY_USERNAME"]
PASSWORD = os.environ["TENANCY_PASSWORD"]

TIMEOUT = httpx.Timeout(60.0)
NOT_FOUND = {"detail": "No OrganizationGroup matches the given query."}
KEYS_ROOT = {"uuid", "url", "name", "parent", "customers_count"}
KEYS_CHILD = KEYS_ROOT | {"parent_uuid", "parent_name"}
SELF_PARENT = {"parent": ["Organization group cannot be parent of itself."]}
DESCENDANT_PARENT = {"parent": ["Organization group cannot be a child of its own descendant."]}

# sync_all() always asks for page_size=100: more than 100 groups make it follow `next`.
BULK = 103

_started = time.monotonic()


def step(message: str) -> None:
    print(f"[{time.monotonic() - _started:6.2f}s] {message}", flush=True)


def expect_status(status: int, call, *args, **kwargs) -> bytes:
    """Calls an SDK function that must raise UnexpectedStatus(status); returns the body."""
    try:
        result = call(*args, **kwargs)
    except errors.UnexpectedStatus as error:
        assert error.status_code == status, (
            f"expected HTTP {status}, got {error.status_code}: {error.content!r}"
        )
        return error.content
    raise AssertionError(f"expected UnexpectedStatus({status}), the SDK returned {result!r}")


def expect_status_detailed(status: int, call, *args, **kwargs) -> bytes:
    """For SDK functions that only have sync_detailed (destroy, update_organization_groups):
    those raise UnexpectedStatus too, for every status but their success one."""
    return expect_status(status, call, *args, **kwargs)


def group_url(uuid: UUID) -> str:
    return f"{BASE_URL}/api/organization-groups/{uuid.hex}/"


def check_group(
    group: OrganizationGroup,
    name: str,
    parent: "OrganizationGroup | None",
    customers: int | None = None,
) -> None:
    """The representation of 04 §2.1, as the SDK parsed it."""
    assert isinstance(group, OrganizationGroup), group
    assert isinstance(group.uuid, UUID), group.uuid
    assert group.url == group_url(group.uuid), group.url
    assert group.name == name, (group.name, name)
    if parent is None:
        assert group.parent is None, group.parent
        assert isinstance(group.parent_uuid, Unset), group.parent_uuid
        assert isinstance(group.parent_name, Unset), group.parent_name
    else:
        assert group.parent == parent.url, (group.parent, parent.url)
        assert group.parent_uuid == parent.uuid, (group.parent_uuid, parent.uuid)
        assert group.parent_name == parent.name, (group.parent_name, parent.name)
    assert isinstance(group.customers_count, int), group.customers_count
    if customers is not None:
        assert group.customers_count == customers, (group.name, group.customers_count, customers)
    assert group.additional_properties == {}, group.additional_keys


def check_raw_keys(raw: dict) -> None:
    """Root groups omit parent_uuid/parent_name (never null); children have both."""
    if raw["parent"] is None:
        assert set(raw) == KEYS_ROOT, raw
    else:
        assert set(raw) == KEYS_CHILD, raw
        assert raw["parent_uuid"] is not None and raw["parent_name"] is not None, raw


def names(groups) -> list[str]:
    return [g.name for g in groups]


def uuids(items) -> list[UUID]:
    return [i.uuid for i in items]


def main() -> None:
    step(f"waldur-api-client {version('waldur-api-client')} against {BASE_URL}")
    anonymous = Client(base_url=BASE_URL, timeout=TIMEOUT)
    staff = AuthenticatedClient(base_url=BASE_URL, token=STAFF_TOKEN, timeout=TIMEOUT)
    login = api_auth_password.sync(
        client=anonymous, body=ObtainAuthTokenRequest(username=USERNAME, password=PASSWORD)
    )
    user = AuthenticatedClient(base_url=BASE_URL, token=login.token, timeout=TIMEOUT)

    # ---------------------------------------------------------------- empty
    # The seed's list example (organization_groups_list.sync(client=...), iterate the items).
    assert organization_groups_list.sync(client=staff) == []
    assert organization_groups_list.sync(client=anonymous) == []
    assert organization_groups_count.sync(client=staff) == 0
    step("organization_groups_list / _count on an empty database: [] and 0 (staff and anonymous)")

    # ---------------------------------------------------------------- create
    # The seed's create example, verbatim apart from the client: a root with a name only.
    created = organization_groups_create.sync_detailed(
        client=staff, body=OrganizationGroupRequest(name="my-awesome-organization-group")
    )
    assert created.status_code == 201, created
    raw = json.loads(created.content)
    check_raw_keys(raw)
    assert raw["parent"] is None and raw["customers_count"] == 0, raw
    awesome = created.parsed
    check_group(awesome, "my-awesome-organization-group", None, customers=0)
    step(f"organization_groups_create (seed example): 201, root, keys {sorted(raw)}")

    education = organization_groups_create.sync(
        client=staff, body=OrganizationGroupRequest(name="Education", parent=None)
    )
    check_group(education, "Education", None, customers=0)
    research = organization_groups_create.sync(client=staff, body=OrganizationGroupRequest(name="Research"))
    check_group(research, "Research", None, customers=0)
    universities = organization_groups_create.sync(
        client=staff, body=OrganizationGroupRequest(name="Universities", parent=education.url)
    )
    check_group(universities, "Universities", education, customers=0)
    schools = organization_groups_create.sync(
        client=staff, body=OrganizationGroupRequest(name="Schools", parent=education.url)
    )
    check_group(schools, "Schools", education)
    tartu = organization_groups_create.sync(
        client=staff, body=OrganizationGroupRequest(name="Tartu University", parent=universities.url)
    )
    check_group(tartu, "Tartu University", universities)
    labs = organization_groups_create.sync(
        client=staff, body=OrganizationGroupRequest(name="Labs", parent=research.url)
    )
    check_group(labs, "Labs", research)
    # Siblings may share a name (no uniqueness rule).
    labs_twin = organization_groups_create.sync(
        client=staff, body=OrganizationGroupRequest(name="Labs", parent=research.url)
    )
    check_group(labs_twin, "Labs", research)
    assert labs_twin.uuid != labs.uuid
    step("organization_groups_create: roots Education, Research; children by parent URL, a grandchild, twin siblings")

    # ---------------------------------------------------------------- create: errors
    body = expect_status(400, organization_groups_create.sync, client=staff, body=OrganizationGroupRequest(name="  "))
    assert json.loads(body) == {"name": ["This field may not be blank."]}, body
    body = expect_status(400, organization_groups_create.sync, client=staff, body=OrganizationGroupRequest(name="x" * 151))
    assert json.loads(body) == {"name": ["Ensure this field has no more than 150 characters."]}, body
    body = expect_status(
        400, organization_groups_create.sync, client=staff,
        body=OrganizationGroupRequest(name="Orphan", parent="not a url"),
    )
    assert json.loads(body) == {"parent": ["Invalid hyperlink - No URL match."]}, body
    body = expect_status(
        400, organization_groups_create.sync, client=staff,
        body=OrganizationGroupRequest(name="Orphan", parent=group_url(UUID(int=7))),
    )
    assert json.loads(body) == {"parent": ["Invalid hyperlink - Object does not exist."]}, body
    body = expect_status(401, organization_groups_create.sync, client=anonymous, body=OrganizationGroupRequest(name="Anon"))
    assert json.loads(body) == {"detail": "Authentication credentials were not provided."}, body
    body = expect_status(403, organization_groups_create.sync, client=user, body=OrganizationGroupRequest(name="Mine"))
    assert json.loads(body) == {"detail": "You do not have permission to perform this action."}, body
    assert organization_groups_count.sync(client=staff) == 8
    step("organization_groups_create: blank name / bad URL / unknown parent -> 400; anonymous 401; non-staff 403")

    # ---------------------------------------------------------------- list
    everything = organization_groups_list.sync_detailed(client=staff)
    assert everything.status_code == 200
    for item in json.loads(everything.content):
        check_raw_keys(item)
    assert names(everything.parsed) == [
        "Education", "Labs", "Labs", "my-awesome-organization-group", "Research",
        "Schools", "Tartu University", "Universities",
    ], names(everything.parsed)
    assert uuids(everything.parsed)[1:3] == [labs.uuid, labs_twin.uuid], "ties broken by creation order"
    by_uuid = {g.uuid: g for g in everything.parsed}
    assert by_uuid[tartu.uuid].to_dict() == tartu.to_dict()
    assert by_uuid[education.uuid].to_dict() == education.to_dict()
    step("organization_groups_list: 8 groups parsed (roots without parent_uuid), ordered by name")

    assert uuids(organization_groups_list.sync(client=staff, name="UNIVERS")) == [tartu.uuid, universities.uuid]
    assert uuids(organization_groups_list.sync(client=staff, name_exact="Universities")) == [universities.uuid]
    assert organization_groups_list.sync(client=staff, name_exact="universities") == []
    assert uuids(organization_groups_list.sync(client=staff, parent=education.uuid)) == [schools.uuid, universities.uuid]
    assert uuids(organization_groups_list.sync(client=staff, parent=universities.uuid)) == [tartu.uuid]
    assert organization_groups_list.sync(client=staff, parent=tartu.uuid) == []
    assert organization_groups_list.sync(client=staff, parent=UUID(int=99)) == []
    assert uuids(organization_groups_list.sync(client=staff, parent=research.uuid, name_exact="Labs")) == [
        labs.uuid, labs_twin.uuid,
    ]
    assert organization_groups_list.sync(client=staff, parent=education.uuid, name="labs") == []
    body = expect_status(400, organization_groups_list.sync, client=staff, parent="not-a-uuid")
    assert json.loads(body) == {"parent": ["Enter a valid UUID."]}, body
    step("organization_groups_list(name=, name_exact=, parent=): filtered (direct children only, AND); bad parent -> 400")

    page1 = organization_groups_list.sync_detailed(client=staff, page=1, page_size=3)
    assert names(page1.parsed) == ["Education", "Labs", "Labs"], names(page1.parsed)
    assert page1.headers["x-result-count"] == "8", dict(page1.headers)
    links = parse_link_header(page1.headers["link"])
    assert set(links) == {"first", "next", "last"}, links
    assert parse_qs(urlparse(links["next"]).query)["page"] == ["2"], links
    assert parse_qs(urlparse(links["last"]).query)["page"] == ["3"], links
    page3 = organization_groups_list.sync_detailed(client=staff, page=3, page_size=3)
    assert names(page3.parsed) == ["Tartu University", "Universities"], names(page3.parsed)
    assert set(parse_link_header(page3.headers["link"])) == {"first", "prev", "last"}
    expect_status(404, organization_groups_list.sync, client=staff, page=4, page_size=3)
    step("organization_groups_list(page=, page_size=): X-Result-Count 8, Link rels; page 4 -> 404")

    # ---------------------------------------------------------------- count (HEAD)
    count = organization_groups_count.sync_detailed(client=staff)
    assert count.status_code == 200 and count.content == b"" and count.parsed == 8, count
    assert organization_groups_count.sync(client=staff, parent=education.uuid) == 2
    assert organization_groups_count.sync(client=staff, name="labs") == 2
    assert organization_groups_count.sync(client=staff, name_exact="Labs", page_size=1) == 2
    assert organization_groups_count.sync(client=anonymous) == 8
    step("organization_groups_count (HEAD): 8, and with parent / name / name_exact filters, and anonymously")

    # ---------------------------------------------------------------- retrieve
    # The seed's retrieve example passes a dashed UUID string.
    got = organization_groups_retrieve.sync(uuid=str(tartu.uuid), client=staff)
    check_group(got, "Tartu University", universities)
    assert got.to_dict() == tartu.to_dict()
    raw = json.loads(organization_groups_retrieve.sync_detailed(education.uuid, client=staff).content)
    check_raw_keys(raw)
    assert set(raw) == KEYS_ROOT
    body = expect_status(404, organization_groups_retrieve.sync, uuid=UUID(int=12345), client=staff)
    assert json.loads(body) == NOT_FOUND, body
    expect_status(404, organization_groups_retrieve.sync, uuid="not-a-uuid", client=staff)
    step("organization_groups_retrieve: dashed UUID (seed example), root keys; unknown / malformed -> 404")

    # ---------------------------------------------------------------- update (PUT)
    # The seed's update example: name only; the group is a root and stays one.
    put = organization_groups_update.sync_detailed(
        uuid=str(awesome.uuid), client=staff, body=OrganizationGroupRequest(name="my-awesome-organization-group")
    )
    assert put.status_code == 200, put
    check_group(put.parsed, "my-awesome-organization-group", None, customers=0)
    assert put.parsed.to_dict() == awesome.to_dict()
    # PUT without parent keeps the parent (04 §5.4); the rename shows in the children's parent_name.
    renamed = organization_groups_update.sync(
        universities.uuid, client=staff, body=OrganizationGroupRequest(name="Universities EE")
    )
    check_group(renamed, "Universities EE", education)
    universities = renamed
    check_group(organization_groups_retrieve.sync(tartu.uuid, client=staff), "Tartu University", universities)
    # PUT with parent: null detaches; with a URL re-attaches elsewhere.
    detached = organization_groups_update.sync(
        schools.uuid, client=staff, body=OrganizationGroupRequest(name="Schools", parent=None)
    )
    check_group(detached, "Schools", None)
    moved = organization_groups_update.sync(
        schools.uuid, client=staff, body=OrganizationGroupRequest(name="Schools", parent=research.url)
    )
    check_group(moved, "Schools", research)
    schools = moved
    body = expect_status(
        400, organization_groups_update.sync, schools.uuid, client=staff, body=OrganizationGroupRequest(name="")
    )
    assert json.loads(body) == {"name": ["This field may not be blank."]}, body
    expect_status(
        404, organization_groups_update.sync, UUID(int=5), client=staff, body=OrganizationGroupRequest(name="Ghost")
    )
    expect_status(
        403, organization_groups_update.sync, UUID(int=5), client=user, body=OrganizationGroupRequest(name="Ghost")
    )
    step("organization_groups_update (PUT): seed example; no parent keeps it (children see the rename); null detaches; URL moves")

    # ---------------------------------------------------------------- partial update (PATCH)
    # The seed's partial-update example: an empty body, a no-op.
    noop = organization_groups_partial_update.sync(
        uuid=str(tartu.uuid), client=staff, body=PatchedOrganizationGroupRequest()
    )
    check_group(noop, "Tartu University", universities)
    patched = organization_groups_partial_update.sync(
        schools.uuid, client=staff, body=PatchedOrganizationGroupRequest(parent=education.url)
    )
    check_group(patched, "Schools", education)
    schools = patched
    patched = organization_groups_partial_update.sync(
        schools.uuid, client=staff, body=PatchedOrganizationGroupRequest(name="Secondary Schools")
    )
    check_group(patched, "Secondary Schools", education)
    schools = patched
    patched = organization_groups_partial_update.sync(
        labs_twin.uuid, client=staff, body=PatchedOrganizationGroupRequest(parent=None)
    )
    check_group(patched, "Labs", None)
    labs_twin = patched
    assert uuids(organization_groups_list.sync(client=staff, parent=research.uuid)) == [labs.uuid]
    step("organization_groups_partial_update (PATCH): {} no-op (seed example); parent / name / parent=null")

    # ---------------------------------------------------------------- no cycles
    body = expect_status(
        400, organization_groups_update.sync, education.uuid, client=staff,
        body=OrganizationGroupRequest(name="Education", parent=education.url),
    )
    assert json.loads(body) == SELF_PARENT, body
    body = expect_status(
        400, organization_groups_partial_update.sync, education.uuid, client=staff,
        body=PatchedOrganizationGroupRequest(parent=education.url),
    )
    assert json.loads(body) == SELF_PARENT, body
    body = expect_status(
        400, organization_groups_partial_update.sync, education.uuid, client=staff,
        body=PatchedOrganizationGroupRequest(parent=universities.url),
    )
    assert json.loads(body) == DESCENDANT_PARENT, body
    body = expect_status(
        400, organization_groups_update.sync, education.uuid, client=staff,
        body=OrganizationGroupRequest(name="Education", parent=tartu.url),
    )
    assert json.loads(body) == DESCENDANT_PARENT, body
    body = expect_status(
        400, organization_groups_partial_update.sync, universities.uuid, client=staff,
        body=PatchedOrganizationGroupRequest(name="Cyclic", parent=tartu.url),
    )
    assert json.loads(body) == DESCENDANT_PARENT, body
    check_group(organization_groups_retrieve.sync(education.uuid, client=staff), "Education", None)
    check_group(organization_groups_retrieve.sync(universities.uuid, client=staff), "Universities EE", education)
    step("self-parent and descendant-parent (child, grandchild) -> 400 UnexpectedStatus with a parent error; nothing changed")

    # ---------------------------------------------------------------- memberships
    alpha = customers_create.sync(client=staff, body=CustomerRequest(name="Alpha Org"))
    beta = customers_create.sync(client=staff, body=CustomerRequest(name="Beta Org"))
    gamma = customers_create.sync(client=staff, body=CustomerRequest(name="Gamma Org"))
    assert alpha.organization_groups == [] and beta.organization_groups == []

    updated = customers_update_organization_groups.sync_detailed(
        alpha.uuid, client=staff,
        body=OrganizationGroupsRequest(organization_groups=[tartu.url, education.url]),
    )
    assert updated.status_code == 200 and updated.parsed is None, updated
    updated = customers_update_organization_groups.sync_detailed(
        str(beta.uuid), client=staff,
        body=OrganizationGroupsRequest(organization_groups=[universities.url, universities.url]),
    )
    assert updated.status_code == 200 and updated.parsed is None, updated
    updated = customers_update_organization_groups.sync_detailed(
        gamma.uuid, client=staff, body=OrganizationGroupsRequest(organization_groups=[research.url, education.url])
    )
    assert updated.status_code == 200 and updated.parsed is None, updated
    step("customers_update_organization_groups: 200, parsed None (group URLs; a duplicate collapses)")

    got = customers_retrieve.sync(alpha.uuid, client=staff)
    assert isinstance(got, Customer) and got.additional_properties == {}, got.additional_keys
    assert names(got.organization_groups) == ["Education", "Tartu University"], names(got.organization_groups)
    root, child = got.organization_groups
    check_group(root, "Education", None, customers=2)
    check_group(child, "Tartu University", universities, customers=1)
    raw = json.loads(customers_retrieve.sync_detailed(alpha.uuid, client=staff).content)["organization_groups"]
    assert [sorted(g) for g in raw] == [sorted(KEYS_ROOT), sorted(KEYS_CHILD)], raw
    beta_groups = customers_retrieve.sync(beta.uuid, client=staff).organization_groups
    assert len(beta_groups) == 1
    check_group(beta_groups[0], "Universities EE", education, customers=1)
    step("customers_retrieve: organization_groups parsed — a ROOT group (no parent_uuid key) and a child, real counts")

    listed = customers_list.sync(client=staff)
    assert [names(c.organization_groups) for c in listed] == [
        ["Education", "Tartu University"], ["Universities EE"], ["Education", "Research"],
    ], [names(c.organization_groups) for c in listed]
    assert uuids(customers_list.sync(client=staff, organization_group_uuid=[education.uuid])) == [
        alpha.uuid, gamma.uuid,
    ]
    assert uuids(customers_list.sync(client=staff, organization_group_uuid=[universities.uuid])) == [beta.uuid]
    assert uuids(
        customers_list.sync(client=staff, organization_group_uuid=[universities.uuid, research.uuid])
    ) == [beta.uuid, gamma.uuid]
    assert uuids(
        customers_list.sync(client=staff, organization_group_uuid=[education.uuid, research.uuid, tartu.uuid])
    ) == [alpha.uuid, gamma.uuid]
    assert customers_list.sync(client=staff, organization_group_uuid=[schools.uuid]) == []
    expect_status(400, customers_list.sync, client=staff, organization_group_uuid=[UUID(int=77)])
    assert uuids(customers_list.sync(client=staff, organization_group_name="univers")) == [alpha.uuid, beta.uuid]
    assert uuids(customers_list.sync(client=staff, organization_group_name="EDUCATION")) == [alpha.uuid, gamma.uuid]
    assert uuids(customers_list.sync(client=staff, organization_group_name="e")) == [
        alpha.uuid, beta.uuid, gamma.uuid,
    ], "distinct even when several groups match"
    assert customers_list.sync(client=staff, organization_group_name="nothing like it") == []
    assert customers_count.sync(client=staff, organization_group_uuid=[education.uuid]) == 2
    assert customers_count.sync(client=staff, organization_group_name="univers") == 2
    step("customers_list(organization_group_uuid=[...] OR, direct only; organization_group_name=): filtered, distinct")

    body = expect_status_detailed(
        403, customers_update_organization_groups.sync_detailed, UUID(int=3), client=user,
        body=OrganizationGroupsRequest(organization_groups=[]),
    )
    assert json.loads(body) == {"detail": "You do not have permission to perform this action."}, body
    expect_status_detailed(
        401, customers_update_organization_groups.sync_detailed, alpha.uuid, client=anonymous,
        body=OrganizationGroupsRequest(organization_groups=[]),
    )
    expect_status_detailed(
        404, customers_update_organization_groups.sync_detailed, UUID(int=3), client=staff,
        body=OrganizationGroupsRequest(organization_groups=[]),
    )
    body = expect_status_detailed(
        400, customers_update_organization_groups.sync_detailed, alpha.uuid, client=staff,
        body=OrganizationGroupsRequest(),
    )
    assert json.loads(body) == {"organization_groups": ["This field is required."]}, body
    body = expect_status_detailed(
        400, customers_update_organization_groups.sync_detailed, alpha.uuid, client=staff,
        body=OrganizationGroupsRequest(organization_groups=[research.url, group_url(UUID(int=8))]),
    )
    # Item errors keyed by index (01 §8.2).
    assert json.loads(body) == {"organization_groups": {"1": ["Invalid hyperlink - Object does not exist."]}}, body
    assert names(customers_retrieve.sync(alpha.uuid, client=staff).organization_groups) == [
        "Education", "Tartu University",
    ]
    step("customers_update_organization_groups: non-staff 403 (unknown uuid), anonymous 401, 404, missing key / unknown URL -> 400, no change")

    # ---------------------------------------------------------------- ordering by customers_count
    ordered = organization_groups_list.sync(client=staff, o="-customers_count,name")
    assert [(g.name, g.customers_count) for g in ordered] == [
        ("Education", 2), ("Research", 1), ("Tartu University", 1), ("Universities EE", 1),
        ("Labs", 0), ("Labs", 0), ("my-awesome-organization-group", 0), ("Secondary Schools", 0),
    ], [(g.name, g.customers_count) for g in ordered]
    ordered = organization_groups_list.sync(client=staff, o="customers_count,-name")
    assert [(g.name, g.customers_count) for g in ordered][:2] == [
        ("Secondary Schools", 0), ("my-awesome-organization-group", 0),
    ], [(g.name, g.customers_count) for g in ordered]
    assert [g.customers_count for g in ordered] == [0, 0, 0, 0, 1, 1, 1, 2]
    assert names(organization_groups_list.sync(client=staff, o="-name"))[:3] == [
        "Universities EE", "Tartu University", "Secondary Schools",
    ]
    assert names(organization_groups_list.sync(client=staff, o="name")) == names(
        organization_groups_list.sync(client=staff)
    )
    assert names(organization_groups_list.sync(client=staff, o="no_such_key")) == names(
        organization_groups_list.sync(client=staff)
    )
    step("organization_groups_list(o=...): -customers_count,name; customers_count,-name; -name; name; unknown ignored")

    # ---------------------------------------------------------------- clear
    cleared = customers_update_organization_groups.sync_detailed(
        gamma.uuid, client=staff, body=OrganizationGroupsRequest(organization_groups=[])
    )
    assert cleared.status_code == 200 and cleared.parsed is None
    assert customers_retrieve.sync(gamma.uuid, client=staff).organization_groups == []
    check_group(organization_groups_retrieve.sync(education.uuid, client=staff), "Education", None, customers=1)
    check_group(organization_groups_retrieve.sync(research.uuid, client=staff), "Research", None, customers=0)
    step("customers_update_organization_groups([]): memberships cleared, customers_count drops")

    # ---------------------------------------------------------------- sync_all
    bulk_root = organization_groups_create.sync(client=staff, body=OrganizationGroupRequest(name="Bulk root"))
    for i in range(BULK):
        organization_groups_create.sync(
            client=staff, body=OrganizationGroupRequest(name=f"Bulk {i:03d}", parent=bulk_root.url)
        )
    total = 8 + 1 + BULK
    all_groups = organization_groups_list.sync_all(client=staff)
    assert len(all_groups) == total and len({g.uuid for g in all_groups}) == total, len(all_groups)
    assert sum(1 for g in all_groups if g.parent is None) == 5  # awesome, Education, Research, Labs twin, Bulk root
    assert all(isinstance(g.parent_uuid, Unset) == (g.parent is None) for g in all_groups)
    bulk_desc = organization_groups_list.sync_all(client=staff, parent=bulk_root.uuid, o="-name")
    assert names(bulk_desc) == [f"Bulk {i:03d}" for i in reversed(range(BULK))], names(bulk_desc)[:3]
    assert all(g.parent_uuid == bulk_root.uuid and g.parent_name == "Bulk root" for g in bulk_desc)
    assert uuids(organization_groups_list.sync_all(client=staff, name_exact="Bulk 042")) == [bulk_desc[BULK - 43].uuid]
    async_all = asyncio.run(_asyncio_all())
    assert uuids(async_all) == uuids(all_groups)
    assert organization_groups_count.sync(client=staff) == total
    step(f"organization_groups_list.sync_all / asyncio_all: {total} groups over 2 pages of 100; with parent+o")

    # ---------------------------------------------------------------- anonymous reads
    anon = organization_groups_list.sync(client=anonymous)
    assert uuids(anon) == uuids(organization_groups_list.sync(client=staff)), "anonymous sees every group"
    assert len(organization_groups_list.sync_all(client=anonymous)) == total
    check_group(organization_groups_retrieve.sync(education.uuid, client=anonymous), "Education", None)
    assert uuids(organization_groups_list.sync(client=anonymous, parent=universities.uuid)) == [tartu.uuid]
    assert uuids(organization_groups_list.sync(client=user, name_exact="Education")) == [education.uuid]
    expect_status_detailed(401, organization_groups_destroy.sync_detailed, education.uuid, client=anonymous)
    expect_status(
        401, organization_groups_partial_update.sync, education.uuid, client=anonymous,
        body=PatchedOrganizationGroupRequest(name="Anon"),
    )
    step("anonymous organization_groups_list / sync_all / retrieve with a plain Client: 200; anonymous writes 401")

    # ---------------------------------------------------------------- delete
    # The seed's delete example calls organization_groups_destroy.sync(...); SDK 8.1.3 only
    # generates sync_detailed for this 204-only operation.
    expect_status_detailed(403, organization_groups_destroy.sync_detailed, UUID(int=4), client=user)
    expect_status_detailed(403, organization_groups_destroy.sync_detailed, universities.uuid, client=user)
    deleted = organization_groups_destroy.sync_detailed(uuid=str(universities.uuid), client=staff)
    assert deleted.status_code == 204 and deleted.parsed is None and deleted.content == b"", deleted
    for gone in (universities, tartu):
        body = expect_status(404, organization_groups_retrieve.sync, gone.uuid, client=staff)
        assert json.loads(body) == NOT_FOUND, body
    expect_status_detailed(404, organization_groups_destroy.sync_detailed, tartu.uuid, client=staff)
    assert organization_groups_count.sync(client=staff) == total - 2
    assert organization_groups_list.sync(client=staff, parent=universities.uuid) == []
    assert names(customers_retrieve.sync(alpha.uuid, client=staff).organization_groups) == ["Education"]
    assert customers_retrieve.sync(beta.uuid, client=staff).organization_groups == []
    assert customers_count.sync(client=staff) == 3
    assert customers_list.sync(client=staff, organization_group_name="univers") == []
    check_group(organization_groups_retrieve.sync(education.uuid, client=staff), "Education", None, customers=1)
    assert uuids(organization_groups_list.sync(client=staff, parent=education.uuid)) == [schools.uuid]
    step("organization_groups_destroy: 204; subtree gone (child and grandchild 404), memberships dropped, customers kept")

    deleted = organization_groups_destroy.sync_detailed(bulk_root.uuid, client=staff)
    assert deleted.status_code == 204
    assert organization_groups_count.sync(client=staff) == total - 2 - 1 - BULK
    step(f"organization_groups_destroy on a root with {BULK} children: 204, {total - 3 - BULK} groups left")

    step("SDK organization-groups scenario passed")


async def _asyncio_all() -> list[OrganizationGroup]:
    async with AuthenticatedClient(base_url=BASE_URL, token=STAFF_TOKEN, timeout=TIMEOUT) as client:
        return await organization_groups_list.asyncio_all(client=client)


if __name__ == "__main__":
    try:
        main()
    except Exception:
        print("SDK organization-groups scenario FAILED", file=sys.stderr, flush=True)
        raise
