"""Drive Tenancy's projects and users endpoints with Waldur's own Python SDK (waldur-api-client).

Run by tests/api/sdk.rs against a freshly spawned service:

    TENANCY_BASE_URL        http://127.0.0.1:<port>
    TENANCY_TOKEN           a staff user's token
    TENANCY_USERNAME        a non-staff user that has a password (made the customer's owner here) ...
    TENANCY_PASSWORD        ... and this is it

Every other fixture is made through the SDK. Covers spec 06 §7 item 7 ("the SDK parses every
user, `me` and project response"): projects_create by absolute customer URL (§4.3),
projects_retrieve / _list with filters / _count (§4.7), projects_partial_update / _update and
their errors (§4.4), slugs and the customer's project_slug_template (§4.5), projects_destroy as a
soft delete that revokes the project's grants (§4.6), the Project representation (§4.9), and
users_retrieve / users_me_retrieve / users_list with their Permission and MePermission items and
visibility (§1.2-§1.4). Every step prints one progress line; any failed assertion or SDK
exception ends the script with a non-zero exit status (and a traceback naming the step).
"""

import datetime
import json
import os
import sys
import time
from importlib.metadata import version
from uuid import UUID

import httpx
from waldur_api_client import errors
from waldur_api_client.api.api_auth import api_auth_password
from waldur_api_client.api.customers import (
    customers_add_user,
    customers_create,
    customers_partial_update,
    customers_retrieve,
)
from waldur_api_client.api.projects import (
    projects_add_user,
    projects_count,
    projects_create,
    projects_destroy,
    projects_list,
    projects_partial_update,
    projects_retrieve,
    projects_update,
)
from waldur_api_client.api.users import (
    users_change_password,
    users_create,
    users_list,
    users_me_retrieve,
    users_retrieve,
)
from waldur_api_client.client import AuthenticatedClient, Client
from waldur_api_client.models import (
    Customer,
    CustomerRequest,
    MarketplaceProviderCustomerProjectOEnum as ProjectO,
    MePermission,
    ObtainAuthTokenRequest,
    PasswordChangeRequest,
    PatchedCustomerRequest,
    PatchedProjectRequest,
    Permission,
    Project,
    ProjectFieldEnum,
    ProjectKindEnum,
    ProjectRequest,
    User,
    UserFieldEnum,
    UserMe,
    UserRequest,
    UserRoleCreateRequest,
)
from waldur_api_client.types import Unset

BASE_URL = os.environ["TENANCY_BASE_URL"].rstrip("/")
STAFF_TOKEN = os.environ["TENANCY_TOKEN"]
USERNAME = os.environ["TENANCY_USERNAME"]
PASSWORD = os.environ["TENANCY_PASSWORD"]

TIMEOUT = httpx.Timeout(60.0)
UTC = datetime.timezone.utc
DENIED = {"detail": "You do not have permission to perform this action."}
NO_PROJECT = {"detail": "No Project matches the given query."}
NO_USER = {"detail": "No User matches the given query."}
PAST_END = {"end_date": ["Cannot be earlier than the current date."]}
PAST_START = {"start_date": ["Cannot be earlier than the current date."]}
FAR = datetime.date(2099, 12, 31)

# §4.9, for callers who are neither staff nor support (staff also get staff_notes).
PROJECT_KEYS = {
    "url", "uuid", "name", "slug", "customer", "customer_uuid", "customer_name", "customer_slug",
    "customer_native_name", "customer_abbreviation", "description",
    "customer_display_billing_info_in_projects", "created", "type", "type_name", "type_uuid",
    "backend_id", "start_date", "end_date", "end_date_requested_by", "end_date_updated_at",
    "resources_count", "kind", "is_removed", "grace_period_days", "customer_grace_period_days",
    "effective_end_date", "is_in_grace_period",
}
STAFF_PROJECT_KEYS = PROJECT_KEYS | {"staff_notes"}
# §1.2 in order, for a caller who is neither staff nor support looking at someone else.
USER_KEYS = [
    "url", "uuid", "username", "slug", "full_name", "native_name", "job_title", "email",
    "phone_number", "organization", "civil_number", "registration_method", "date_joined",
    "agreement_date", "notifications_enabled", "preferred_language", "permissions",
    "requested_email", "affiliations", "first_name", "last_name", "image", "identity_source",
    "has_usable_password",
]
STAFF_ONLY_USER_KEYS = ["description", "is_staff", "is_active", "is_support"]
SELF_ONLY_USER_KEYS = ["token_lifetime", "token_expires_at"]
PERMISSION_KEYS = {
    "uuid", "user_uuid", "user_name", "user_slug", "user_username", "user_email", "created",
    "expiration_time", "is_active", "created_by_full_name", "created_by_username", "role_name",
    "role_uuid", "role_description", "scope_type", "scope_uuid", "scope_name", "scope_is_removed",
    "customer_uuid", "customer_name", "project_uuid", "resource_uuid",
}
ME_PERMISSION_KEYS = {
    "role_name", "role_uuid", "scope_type", "scope_uuid", "scope_name", "customer_uuid",
    "customer_name", "project_uuid", "resource_uuid", "expiration_time",
}

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


def expect_json(status: int, expected, call, *args, **kwargs) -> None:
    body = expect_status(status, call, *args, **kwargs)
    assert json.loads(body) == expected, body


def customer_url(uuid: UUID) -> str:
    return f"{BASE_URL}/api/customers/{uuid.hex}/"


def user_url(uuid: UUID) -> str:
    return f"{BASE_URL}/api/users/{uuid.hex}/"


def project_url(uuid: UUID) -> str:
    return f"{BASE_URL}/api/projects/{uuid.hex}/"


def check_project(project: Project, raw: dict, customer: Customer, *, staff: bool = False) -> None:
    """The representation of 06 §4.9, as the SDK parsed it (and the raw keys)."""
    assert isinstance(project, Project), project
    assert set(raw) == (STAFF_PROJECT_KEYS if staff else PROJECT_KEYS), sorted(
        set(raw) ^ (STAFF_PROJECT_KEYS if staff else PROJECT_KEYS)
    )
    assert isinstance(project.uuid, UUID) and raw["uuid"] == project.uuid.hex, raw["uuid"]
    assert project.url == project_url(project.uuid), project.url
    assert isinstance(project.name, str) and project.name, project.name
    assert isinstance(project.slug, str) and project.slug, project.slug
    assert project.customer == customer_url(customer.uuid), project.customer
    assert project.customer_uuid == customer.uuid, project.customer_uuid
    assert project.customer_name == customer.name, project.customer_name
    assert project.customer_slug == customer.slug, project.customer_slug
    assert project.customer_native_name == customer.native_name, project.customer_native_name
    assert project.customer_abbreviation == customer.abbreviation, project.customer_abbreviation
    assert project.customer_display_billing_info_in_projects is customer.display_billing_info_in_projects
    assert isinstance(project.description, str), project.description
    assert isinstance(project.created, datetime.datetime) and project.created.utcoffset() == datetime.timedelta(0)
    assert project.type_ is None and project.type_name is None and project.type_uuid is None
    assert isinstance(project.backend_id, str), project.backend_id
    for key in ("start_date", "end_date", "effective_end_date"):
        value = getattr(project, key)
        assert value is None or type(value) is datetime.date, (key, value)
    if project.end_date is None:
        assert project.end_date_requested_by is None and project.effective_end_date is None
    else:
        assert project.end_date_requested_by.startswith(f"{BASE_URL}/api/users/"), project.end_date_requested_by
        assert isinstance(project.end_date_updated_at, datetime.datetime), project.end_date_updated_at
        grace = project.grace_period_days if project.grace_period_days is not None else (
            customer.grace_period_days or 0
        )
        assert project.effective_end_date == project.end_date + datetime.timedelta(days=grace)
    assert project.resources_count == 0, project.resources_count
    assert isinstance(project.kind, ProjectKindEnum), project.kind
    assert project.is_removed is False, project.is_removed
    assert project.is_in_grace_period is False, project.is_in_grace_period
    assert project.customer_grace_period_days == customer.grace_period_days, project.customer_grace_period_days
    if staff:
        assert isinstance(project.staff_notes, str), project.staff_notes
    else:
        assert isinstance(project.staff_notes, Unset), "staff_notes is omitted for non-staff callers"
    for absent in ("project_metadata", "marketplace_resource_count", "billing_price_estimate", "science_domain_uuid"):
        assert absent not in raw, absent
    # Exactly the keys SDK 8.1.3's Project models: nothing extra.
    assert project.additional_properties == {}, project.additional_properties


def retrieve(client, uuid: UUID, **kwargs) -> tuple[Project, dict]:
    response = projects_retrieve.sync_detailed(uuid=uuid, client=client, **kwargs)
    assert response.status_code == 200, response
    return response.parsed, json.loads(response.content)


def listed(client, **filters) -> list[tuple[Project, dict]]:
    response = projects_list.sync_detailed(client=client, **filters)
    assert response.status_code == 200, response
    return list(zip(response.parsed, json.loads(response.content)))


def names(client, **filters) -> list[str]:
    return [p.name for p in projects_list.sync(client=client, **filters)]


def check_user(user: User, raw: dict, *, viewer: str, permissions: bool) -> None:
    """The representation of 06 §1.2; viewer is "other", "self", "staff" or "staff self"."""
    assert isinstance(user, (User, UserMe)), user
    keys = list(USER_KEYS)
    if viewer in ("self", "staff self"):
        keys[11:11] = SELF_ONLY_USER_KEYS
    if viewer in ("staff", "staff self"):
        keys[11:11] = STAFF_ONLY_USER_KEYS
    if not permissions:
        keys.remove("permissions")
    assert list(raw) == keys, (list(raw), keys)
    assert isinstance(user.uuid, UUID) and user.url == user_url(user.uuid), user.url
    assert isinstance(user.slug, str) and user.slug, user.slug
    assert user.full_name == f"{user.first_name} {user.last_name}".strip(), user.full_name
    assert user.civil_number is None and user.requested_email is None and user.image is None
    assert user.registration_method == "default" and user.identity_source == "" and user.affiliations == []
    assert isinstance(user.date_joined, datetime.datetime) and user.date_joined.utcoffset() == datetime.timedelta(0)
    assert isinstance(user.notifications_enabled, bool) and isinstance(user.preferred_language, str)
    assert isinstance(user.has_usable_password, bool), user.has_usable_password
    if viewer.startswith("staff"):
        assert user.is_active is True and isinstance(user.is_staff, bool) and isinstance(user.description, str)
    else:
        assert isinstance(user.is_staff, Unset) and isinstance(user.is_active, Unset), "staff-only keys are absent"
    if not viewer.endswith("self"):
        assert isinstance(user.token_lifetime, Unset) and isinstance(user.token_expires_at, Unset)
    assert isinstance(user.token, Unset), "the token is never shown"
    if not permissions:
        # SDK 8.1.3's User.from_dict turns an absent `permissions` into []; the raw keys above
        # show it was not sent.
        assert user.permissions == [], user.permissions
    # Every key we send is one SDK 8.1.3's User / UserMe models.
    assert user.additional_properties == {}, user.additional_properties


def check_permission(item: Permission, raw: dict, user: User, role: str, scope_type: str, scope, customer: Customer, by) -> None:
    """A `permissions` item (06 §1.3); scope is the Customer or the Project; by = the granting user."""
    assert isinstance(item, Permission), item
    expected_keys = PERMISSION_KEYS if by is not None else PERMISSION_KEYS - {"created_by_full_name", "created_by_username"}
    assert set(raw) == expected_keys, sorted(set(raw) ^ expected_keys)
    assert isinstance(item.uuid, UUID), item.uuid
    assert item.user_uuid == user.uuid and item.user_username == user.username, item.user_username
    assert item.user_name == user.full_name and item.user_slug == user.slug and item.user_email == user.email
    assert isinstance(item.created, datetime.datetime), item.created
    assert item.expiration_time is None and item.is_active is True, (item.expiration_time, item.is_active)
    if by is not None:
        assert item.created_by_full_name == by.full_name and item.created_by_username == by.username, item
    assert item.role_name == role and isinstance(item.role_uuid, UUID), item.role_name
    assert isinstance(item.role_description, str), item.role_description
    assert item.scope_type == scope_type and item.scope_uuid == scope.uuid and item.scope_name == scope.name, item
    assert item.scope_is_removed is False, item.scope_is_removed
    assert item.customer_uuid == customer.uuid and item.customer_name == customer.name, item.customer_name
    assert item.project_uuid is None and item.resource_uuid is None, (item.project_uuid, item.resource_uuid)
    assert isinstance(item.source, Unset) and isinstance(item.revoke_reason, Unset), item
    assert item.additional_properties == {}, item.additional_properties


def check_me_permission(item: MePermission, raw: dict, role: str, scope_type: str, scope, customer: Customer) -> None:
    assert isinstance(item, MePermission), item
    assert set(raw) == ME_PERMISSION_KEYS, sorted(set(raw) ^ ME_PERMISSION_KEYS)
    assert item.role_name == role and isinstance(item.role_uuid, UUID), item.role_name
    assert item.scope_type == scope_type and item.scope_uuid == scope.uuid and item.scope_name == scope.name, item
    assert item.customer_uuid == customer.uuid and item.customer_name == customer.name, item
    assert item.project_uuid is None and item.resource_uuid is None and item.expiration_time is None, item
    assert item.additional_properties == {}, item.additional_properties


def get_user(client, uuid: UUID) -> tuple[User, dict]:
    response = users_retrieve.sync_detailed(uuid=uuid, client=client)
    assert response.status_code == 200, response
    return response.parsed, json.loads(response.content)


def get_me(client) -> tuple[UserMe, dict]:
    response = users_me_retrieve.sync_detailed(client=client)
    assert response.status_code == 200, response
    return response.parsed, json.loads(response.content)


def login(anonymous: Client, username: str, password: str) -> AuthenticatedClient:
    got = api_auth_password.sync(client=anonymous, body=ObtainAuthTokenRequest(username=username, password=password))
    return AuthenticatedClient(base_url=BASE_URL, token=got.token, timeout=TIMEOUT)


def main() -> None:
    step(f"waldur-api-client {version('waldur-api-client')} against {BASE_URL}")
    anonymous = Client(base_url=BASE_URL, timeout=TIMEOUT)
    staff = AuthenticatedClient(base_url=BASE_URL, token=STAFF_TOKEN, timeout=TIMEOUT)
    owner = login(anonymous, USERNAME, PASSWORD)
    today = datetime.datetime.now(UTC).date()

    # ---------------------------------------------------------------- fixtures through the SDK
    org = customers_create.sync(client=staff, body=CustomerRequest(name="Projects SDK Org", abbreviation="PSO"))
    other_org = customers_create.sync(client=staff, body=CustomerRequest(name="Elsewhere Org"))
    assert isinstance(org, Customer) and org.projects_count == 0, org.projects_count
    people = {}
    for username, first, last in [("mia", "Mia", "Member"), ("stan", "Stan", "Stranger")]:
        created = users_create.sync(
            client=staff,
            body=UserRequest(username=username, email=f"{username}@projects.example", first_name=first, last_name=last),
        )
        assert isinstance(created, User) and created.username == username and created.has_usable_password is False
        changed = users_change_password.sync_detailed(
            uuid=created.uuid, client=staff, body=PasswordChangeRequest(new_password=f"{username}-password-1")
        )
        assert changed.status_code == 200, changed
        people[username] = created
    mia_user, stan_user = people["mia"], people["stan"]
    mia = login(anonymous, "mia", "mia-password-1")
    stan = login(anonymous, "stan", "stan-password-1")
    me, _ = get_me(owner)
    admin, _ = get_me(staff)
    added = customers_add_user.sync(uuid=org.uuid, client=staff, body=UserRoleCreateRequest(role="CUSTOMER.OWNER", user=me.uuid))
    assert added.expiration_time is None
    added = customers_add_user.sync(
        uuid=other_org.uuid, client=staff, body=UserRoleCreateRequest(role="CUSTOMER.OWNER", user=stan_user.uuid)
    )
    assert added.expiration_time is None
    step("customers_create x2, users_create + change_password (mia, stan), customers_add_user: "
         f"{USERNAME} owns {org.name}, stan owns {other_org.name}")

    # ---------------------------------------------------------------- create
    created = projects_create.sync_detailed(
        client=owner,
        body=ProjectRequest(name="Apollo Mission", customer=customer_url(org.uuid), description="To the moon"),
    )
    assert created.status_code == 201, created
    apollo = created.parsed
    check_project(apollo, json.loads(created.content), org)
    assert created.headers["location"].endswith(f"/api/projects/{apollo.uuid.hex}/"), created.headers.get("location")
    assert apollo.name == "Apollo Mission" and apollo.description == "To the moon", apollo
    assert apollo.slug == "apollo-m-1", apollo.slug
    assert apollo.kind == ProjectKindEnum.DEFAULT and apollo.end_date is None and apollo.start_date is None
    assert apollo.backend_id == "" and apollo.grace_period_days is None, apollo
    created = projects_create.sync_detailed(
        client=owner,
        body=ProjectRequest(
            name="Borealis", customer=f"{BASE_URL}/api/customers/{org.uuid}/", kind=ProjectKindEnum.COURSE,
            backend_id="b-1", start_date=today, end_date=FAR,
        ),
    )
    assert created.status_code == 201, created
    borealis = created.parsed
    check_project(borealis, json.loads(created.content), org)
    assert borealis.slug == "borealis-1" and borealis.kind == ProjectKindEnum.COURSE, (borealis.slug, borealis.kind)
    assert borealis.start_date == today and borealis.end_date == FAR and borealis.effective_end_date == FAR
    assert borealis.end_date_requested_by == user_url(me.uuid), borealis.end_date_requested_by
    assert borealis.backend_id == "b-1"
    staff_made = projects_create.sync_detailed(
        client=staff,
        body=ProjectRequest(name="Cassini", customer=customer_url(org.uuid), slug="cassini-probe",
                            staff_notes="watch it", grace_period_days=7, end_date=FAR),
    )
    assert staff_made.status_code == 201, staff_made
    cassini = staff_made.parsed
    check_project(cassini, json.loads(staff_made.content), org, staff=True)
    assert cassini.slug == "cassini-probe" and cassini.staff_notes == "watch it" and cassini.grace_period_days == 7
    assert cassini.effective_end_date == FAR + datetime.timedelta(days=7), cassini.effective_end_date
    assert cassini.end_date_requested_by == user_url(admin.uuid), cassini.end_date_requested_by
    step(f"projects_create (owner, absolute customer URL hex and dashed): 201 Project + Location; slugs "
         f"{apollo.slug}, {borealis.slug}; staff: slug {cassini.slug}, staff_notes, grace 7 days")

    body = ProjectRequest(name="Past", customer=customer_url(org.uuid), end_date=datetime.date(2001, 1, 1))
    expect_json(400, PAST_END, projects_create.sync, client=owner, body=body)
    body = ProjectRequest(name="Past", customer=customer_url(org.uuid), start_date=datetime.date(2001, 1, 1))
    expect_json(400, PAST_START, projects_create.sync, client=owner, body=body)
    # stan cannot see the customer: an unresolvable link (400); mia (a project member below) 403.
    body = ProjectRequest(name="Intruder", customer=customer_url(org.uuid))
    assert list(json.loads(expect_status(400, projects_create.sync, client=stan, body=body))) == ["customer"]
    step("projects_create errors: past end_date / start_date 400 (flat); invisible customer 400 {customer}")

    # ---------------------------------------------------------------- project grants
    for project in (apollo, borealis):
        got = projects_add_user.sync(
            uuid=project.uuid, client=owner, body=UserRoleCreateRequest(role="PROJECT.MEMBER", user=mia_user.uuid)
        )
        assert got.expiration_time is None
    expect_json(403, DENIED, projects_create.sync_detailed, client=mia,
                body=ProjectRequest(name="Intruder", customer=customer_url(org.uuid)))
    step("projects_add_user: mia PROJECT.MEMBER on Apollo and Borealis; her projects_create 403 (sync_detailed)")

    # ---------------------------------------------------------------- retrieve / list / count
    got, raw = retrieve(owner, apollo.uuid)
    check_project(got, raw, org)
    assert got.to_dict() == apollo.to_dict(), "retrieve equals the create response"
    got, raw = retrieve(mia, apollo.uuid)
    check_project(got, raw, org)
    got, raw = retrieve(staff, cassini.uuid)
    check_project(got, raw, org, staff=True)
    expect_json(404, NO_PROJECT, projects_retrieve.sync, uuid=apollo.uuid, client=stan)
    expect_json(404, NO_PROJECT, projects_retrieve.sync, uuid=UUID(int=7), client=owner)
    narrowed = projects_retrieve.sync_detailed(uuid=apollo.uuid, client=owner, field=[ProjectFieldEnum.NAME, ProjectFieldEnum.SLUG])
    assert json.loads(narrowed.content) == {"name": "Apollo Mission", "slug": "apollo-m-1"}, narrowed.content
    assert narrowed.parsed.name == "Apollo Mission" and isinstance(narrowed.parsed.uuid, Unset)
    step("projects_retrieve: owner, member and staff parse Project; stranger / unknown 404; field=name,slug")

    items = listed(owner)
    assert [p.name for p, _ in items] == ["Apollo Mission", "Borealis", "Cassini"], [p.name for p, _ in items]
    for project, raw in items:
        check_project(project, raw, org)
    for project, raw in listed(staff):
        check_project(project, raw, org, staff=True)
    assert names(mia) == ["Apollo Mission", "Borealis"], names(mia)
    assert names(stan) == []
    assert names(owner, customer=[org.uuid]) == ["Apollo Mission", "Borealis", "Cassini"]
    assert names(owner, customer=[other_org.uuid]) == []
    assert names(staff, customer=[other_org.uuid, org.uuid]) == ["Apollo Mission", "Borealis", "Cassini"]
    assert names(owner, name="ASSI") == ["Cassini"]
    assert names(owner, name_exact="Borealis") == ["Borealis"]
    assert names(owner, query="apollo-m") == ["Apollo Mission"]
    assert names(owner, query=str(borealis.uuid)) == ["Borealis"]
    assert names(owner, slug="cassini-probe") == ["Cassini"]
    assert names(owner, backend_id="b-1") == ["Borealis"]
    assert names(owner, description="moon") == ["Apollo Mission"]
    assert names(owner, customer_name="projects sdk") == ["Apollo Mission", "Borealis", "Cassini"]
    assert names(owner, customer_abbreviation="pso", o=[ProjectO.VALUE_6]) == ["Cassini", "Borealis", "Apollo Mission"]
    assert names(owner, o=[ProjectO.VALUE_0]) == ["Cassini", "Borealis", "Apollo Mission"]
    assert names(owner, o=[ProjectO.END_DATE, ProjectO.NAME]) == ["Borealis", "Cassini", "Apollo Mission"]
    assert names(mia, can_manage=True) == [] and names(owner, can_manage=True) == ["Apollo Mission", "Borealis", "Cassini"]
    assert names(owner, user_uuid_with_active_role=mia_user.uuid) == ["Apollo Mission", "Borealis"]
    assert names(owner, page_size=2) == ["Apollo Mission", "Borealis"]
    assert names(owner, page=2, page_size=2) == ["Cassini"]
    narrowed = projects_list.sync_detailed(client=owner, field=[ProjectFieldEnum.UUID, ProjectFieldEnum.CUSTOMER_UUID])
    assert json.loads(narrowed.content) == [
        {"uuid": p.uuid.hex, "customer_uuid": org.uuid.hex} for p in (apollo, borealis, cassini)
    ], narrowed.content
    assert all(p.additional_properties == {} and isinstance(p.name, Unset) for p in narrowed.parsed)
    expect_json(400, {"customer": ["Enter a valid UUID."]}, projects_list.sync, client=owner, customer=["nope"])
    assert projects_count.sync(client=owner) == 3
    assert projects_count.sync(client=mia) == 2 and projects_count.sync(client=stan) == 0
    assert projects_count.sync(client=owner, name="o") == 2
    assert projects_count.sync(client=staff, customer=[other_org.uuid]) == 0
    step("projects_list: filters customer / name / name_exact / query (slug, uuid) / slug / backend_id / description / "
         "customer_* / o / can_manage / user_uuid_with_active_role / page / field; bad customer 400; projects_count")

    # ---------------------------------------------------------------- update
    patched = projects_partial_update.sync_detailed(
        uuid=apollo.uuid, client=owner,
        body=PatchedProjectRequest(name="Apollo Programme", description="", end_date=FAR),
    )
    assert patched.status_code == 200, patched
    apollo2 = patched.parsed
    check_project(apollo2, json.loads(patched.content), org)
    assert apollo2.name == "Apollo Programme" and apollo2.description == "" and apollo2.end_date == FAR, apollo2
    assert apollo2.slug == "apollo-m-1", "slugs never change on rename"
    assert apollo2.end_date_requested_by == user_url(me.uuid) and isinstance(apollo2.end_date_updated_at, datetime.datetime)
    cleared = projects_partial_update.sync(uuid=apollo.uuid, client=owner, body=PatchedProjectRequest(end_date=None))
    assert cleared.end_date is None and cleared.effective_end_date is None and cleared.name == "Apollo Programme"
    put = projects_update.sync_detailed(
        uuid=borealis.uuid, client=owner,
        body=ProjectRequest(name="Borealis II", customer=customer_url(other_org.uuid), description="Northern lights",
                            kind=ProjectKindEnum.PUBLIC, end_date=datetime.date(2098, 1, 2)),
    )
    assert put.status_code == 200, put
    borealis2 = put.parsed
    check_project(borealis2, json.loads(put.content), org)
    assert borealis2.customer_uuid == org.uuid, "customer is ignored on update"
    assert (borealis2.name, borealis2.description, borealis2.kind, borealis2.end_date) == (
        "Borealis II", "Northern lights", ProjectKindEnum.PUBLIC, datetime.date(2098, 1, 2)
    ), borealis2
    assert retrieve(mia, borealis.uuid)[0].to_dict() == borealis2.to_dict()
    expect_json(400, PAST_END, projects_partial_update.sync, uuid=apollo.uuid, client=owner,
                body=PatchedProjectRequest(end_date=datetime.date(2001, 1, 1)))
    expect_json(400, {"name": ["This field may not be blank."]}, projects_partial_update.sync, uuid=apollo.uuid,
                client=owner, body=PatchedProjectRequest(name=""))
    expect_json(403, DENIED, projects_partial_update.sync_detailed, uuid=apollo.uuid, client=mia,
                body=PatchedProjectRequest(name="Mine"))
    expect_json(403, DENIED, projects_update.sync_detailed, uuid=apollo.uuid, client=mia,
                body=ProjectRequest(name="Mine", customer=customer_url(org.uuid)))
    expect_json(404, NO_PROJECT, projects_partial_update.sync_detailed, uuid=apollo.uuid, client=stan,
                body=PatchedProjectRequest(name="Mine"))
    assert retrieve(owner, apollo.uuid)[0].name == "Apollo Programme", "nothing changed"
    step("projects_partial_update / projects_update (owner): name, description, end_date set and cleared, kind; "
         "customer ignored; past end_date / blank name 400; member 403 (sync_detailed); stranger 404")

    # ---------------------------------------------------------------- slug template
    templated = customers_partial_update.sync(
        uuid=org.uuid, client=staff, body=PatchedCustomerRequest(project_slug_template="{customer_slug}-{counter_padded}")
    )
    assert templated.project_slug_template == "{customer_slug}-{counter_padded}", templated.project_slug_template
    created = projects_create.sync_detailed(client=owner, body=ProjectRequest(name="Dawn", customer=customer_url(org.uuid)))
    assert created.status_code == 201, created
    dawn = created.parsed
    check_project(dawn, json.loads(created.content), templated)
    assert dawn.slug == f"{org.slug}-004", (dawn.slug, org.slug)
    assert customers_retrieve.sync(uuid=org.uuid, client=owner).projects_count == 4
    step(f"project_slug_template {{customer_slug}}-{{counter_padded}}: Dawn -> {dawn.slug}; customer projects_count 4")

    # ---------------------------------------------------------------- users
    mia_seen, raw = get_user(owner, mia_user.uuid)
    check_user(mia_seen, raw, viewer="other", permissions=True)
    assert mia_seen.username == "mia" and mia_seen.email == "mia@projects.example" and mia_seen.full_name == "Mia Member"
    assert mia_seen.has_usable_password is True
    assert [(p.role_name, p.scope_uuid) for p in mia_seen.permissions] == [
        ("PROJECT.MEMBER", apollo.uuid), ("PROJECT.MEMBER", borealis.uuid)
    ], mia_seen.permissions
    for item, item_raw, project in zip(mia_seen.permissions, raw["permissions"], (apollo2, borealis2)):
        check_permission(item, item_raw, mia_seen, "PROJECT.MEMBER", "project", project, org, me)
    staff_view, raw = get_user(staff, mia_user.uuid)
    check_user(staff_view, raw, viewer="staff", permissions=True)
    assert staff_view.to_dict()["permissions"] == mia_seen.to_dict()["permissions"]
    owner_seen, raw = get_user(staff, me.uuid)
    check_user(owner_seen, raw, viewer="staff", permissions=True)
    (grant,) = owner_seen.permissions
    check_permission(grant, raw["permissions"][0], owner_seen, "CUSTOMER.OWNER", "customer", org, org, admin)
    expect_json(404, NO_USER, users_retrieve.sync, uuid=stan_user.uuid, client=owner)
    expect_json(404, NO_USER, users_retrieve.sync, uuid=me.uuid, client=stan)
    expect_json(404, NO_USER, users_retrieve.sync, uuid=admin.uuid, client=owner)
    step("users_retrieve: mia (owner and staff views) with 2 Permission items, the owner's CUSTOMER.OWNER item; "
         "stranger, the other owner and staff 404 for non-staff")

    me_now, raw = get_me(owner)
    check_user(me_now, raw, viewer="self", permissions=True)
    assert isinstance(me_now, UserMe) and me_now.uuid == me.uuid
    assert isinstance(me_now.token_expires_at, (datetime.datetime, type(None))), me_now.token_expires_at
    (mine,) = me_now.permissions
    check_me_permission(mine, raw["permissions"][0], "CUSTOMER.OWNER", "customer", org, org)
    mia_me, raw = get_me(mia)
    check_user(mia_me, raw, viewer="self", permissions=True)
    for item, item_raw, project in zip(mia_me.permissions, raw["permissions"], (apollo2, borealis2)):
        check_me_permission(item, item_raw, "PROJECT.MEMBER", "project", project, org)
    assert len(mia_me.permissions) == 2
    admin_me, raw = get_me(staff)
    check_user(admin_me, raw, viewer="staff self", permissions=True)
    assert admin_me.is_staff is True and admin_me.permissions == []
    step("users_me_retrieve: owner (1 MePermission), mia (2), staff (none) parse as UserMe")

    response = users_list.sync_detailed(client=owner)
    assert response.status_code == 200, response
    visible = list(zip(response.parsed, json.loads(response.content)))
    assert [u.username for u, _ in visible] == ["mia", USERNAME], [u.username for u, _ in visible]
    check_user(visible[0][0], visible[0][1], viewer="other", permissions=False)
    response = users_list.sync_detailed(client=owner, field=[UserFieldEnum.USERNAME, UserFieldEnum.PERMISSIONS])
    rows = json.loads(response.content)
    assert [list(r) for r in rows] == [["username", "permissions"]] * 2, rows
    by_name = {u.username: u for u in response.parsed}
    assert [p.scope_uuid for p in by_name["mia"].permissions] == [apollo.uuid, borealis.uuid]
    assert [p.role_name for p in by_name[USERNAME].permissions] == ["CUSTOMER.OWNER"]
    for user in response.parsed:
        assert all(isinstance(p, Permission) and p.additional_properties == {} for p in user.permissions)
        assert user.additional_properties == {}
    assert [u.username for u in users_list.sync(client=stan)] == ["stan"]
    assert [u.username for u in users_list.sync(client=owner, username="mia")] == ["mia"]
    assert [u.username for u in users_list.sync(client=owner, username="stan")] == []
    assert [u.username for u in users_list.sync(client=owner, query="member")] == ["mia"]
    everyone = users_list.sync(client=staff, field=[UserFieldEnum.USERNAME, UserFieldEnum.PERMISSIONS])
    assert {u.username for u in everyone} >= {"admin", "mia", "stan", USERNAME}, [u.username for u in everyone]
    step("users_list: the owner sees mia and themself (not stan); field=permissions adds Permission items; "
         "username / query filters")

    # ---------------------------------------------------------------- soft delete
    expect_json(403, DENIED, projects_destroy.sync_detailed, uuid=apollo.uuid, client=mia)
    expect_json(404, NO_PROJECT, projects_destroy.sync_detailed, uuid=apollo.uuid, client=stan)
    destroyed = projects_destroy.sync_detailed(uuid=apollo.uuid, client=owner)
    assert destroyed.status_code == 204 and destroyed.parsed is None and destroyed.content == b"", destroyed
    expect_json(404, NO_PROJECT, projects_retrieve.sync, uuid=apollo.uuid, client=owner)
    expect_json(404, NO_PROJECT, projects_retrieve.sync, uuid=apollo.uuid, client=mia)
    expect_json(404, NO_PROJECT, projects_destroy.sync_detailed, uuid=apollo.uuid, client=owner)
    expect_json(404, NO_PROJECT, projects_partial_update.sync, uuid=apollo.uuid, client=owner,
                body=PatchedProjectRequest(name="Back"))
    assert names(owner) == ["Borealis II", "Cassini", "Dawn"], names(owner)
    assert names(mia) == ["Borealis II"], names(mia)
    assert projects_count.sync(client=owner) == 3 and projects_count.sync(client=mia) == 1
    assert customers_retrieve.sync(uuid=org.uuid, client=owner).projects_count == 3
    terminated = listed(staff, include_terminated=True, is_removed=True)
    assert [p.name for p, _ in terminated] == ["Apollo Programme"], [p.name for p, _ in terminated]
    assert terminated[0][0].is_removed is True and terminated[0][0].additional_properties == {}
    mia_me, _ = get_me(mia)
    assert [p.scope_uuid for p in mia_me.permissions] == [borealis.uuid], "the Apollo grant was revoked"
    mia_seen, _ = get_user(owner, mia_user.uuid)
    assert [p.scope_uuid for p in mia_seen.permissions] == [borealis.uuid], mia_seen.permissions
    step("projects_destroy: member 403, stranger 404; owner 204 empty; then retrieve / destroy / patch 404, gone from "
         "lists and counts (customer projects_count 3), listed by staff with include_terminated; mia's grant revoked")

    destroyed = projects_destroy.sync_detailed(uuid=borealis.uuid, client=owner)
    assert destroyed.status_code == 204, destroyed
    assert names(mia) == [] and projects_count.sync(client=mia) == 0
    mia_me, raw = get_me(mia)
    assert mia_me.permissions == [] and raw["permissions"] == []
    expect_json(404, NO_USER, users_retrieve.sync, uuid=mia_user.uuid, client=owner)
    assert [u.username for u in users_list.sync(client=owner)] == [USERNAME]
    expect_json(404, NO_PROJECT, projects_retrieve.sync, uuid=cassini.uuid, client=mia)
    assert customers_retrieve.sync(uuid=org.uuid, client=staff).projects_count == 2
    step("projects_destroy Borealis: mia has no grant left, sees no project, and is no longer visible to the owner (404)")

    step("SDK projects scenario passed")


if __name__ == "__main__":
    try:
        main()
    except Exception:
        print("SDK projects scenario FAILED", file=sys.stderr, flush=True)
        raise
