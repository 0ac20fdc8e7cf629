"""Drive Tenancy's team and role endpoints with Waldur's own Python SDK (waldur-api-client).

Run by tests/api/sdk.rs against a freshly spawned service whose database holds only the
fixtures the API cannot make:

    TENANCY_BASE_URL        http://127.0.0.1:<port>
    TENANCY_TOKEN           a staff user's token
    TENANCY_USERNAME        a non-staff user that has a password ...
    TENANCY_PASSWORD        ... and this is it
    TENANCY_CUSTOMER_UUID   a customer (hex UUID) created by staff
    TENANCY_PROJECT_UUIDS   "<apollo hex>,<borealis hex>": its two projects (stored directly,
                            there is no project API yet)
    TENANCY_CLI_USERNAME    a user holding CUSTOMER.SUPPORT on that customer through a grant
                            made outside the API (no created_by)

Covers the seed 001 "User Management" Python examples (customers_list_users_list,
customers_users_list, customers_add_user, customers_delete_user, customers_update_user) with
the response models of spec 03 §5, their HEAD counts, the project variants (§5.7), the
defaults of §6 for a non-staff caller, and /api/roles/ (§7). Every step prints one progress
line; any failed assertion or SDK exception ends the script with a non-zero exit status (and
a traceback naming the step).
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
    customers_delete_user,
    customers_list_users_count,
    customers_list_users_list,
    customers_update_user,
    customers_users_count,
    customers_users_list,
)
from waldur_api_client.api.projects import (
    projects_add_user,
    projects_delete_user,
    projects_list_users_count,
    projects_list_users_list,
    projects_update_user,
)
from waldur_api_client.api.roles import (
    roles_count,
    roles_create,
    roles_destroy,
    roles_disable,
    roles_enable,
    roles_list,
    roles_partial_update,
    roles_retrieve,
    roles_update,
)
from waldur_api_client.api.users import users_create, users_list, users_me_retrieve
from waldur_api_client.client import AuthenticatedClient, Client
from waldur_api_client.models import (
    CustomersUsersListOrganizationRoleItemType0,
    CustomersUsersListProjectRoleItemType0,
    CustomerUser,
    CustomerUserOEnum,
    NestedProjectPermission,
    ObtainAuthTokenRequest,
    PatchedRoleDetailsRequest,
    RoleDetails,
    RoleDetailsOEnum,
    RoleModifyRequest,
    RoleModifyRequestPermissions,
    RoleType,
    User,
    UserRequest,
    UserRoleCreateRequest,
    UserRoleDeleteRequest,
    UserRoleDetails,
    UserRoleDetailsOEnum,
    UserRoleExpirationTime,
    UserRoleUpdateRequest,
)
from waldur_api_client.types import Unset

BASE_URL = os.environ["TENANCY_BASE_URL"].rstrip("/")
STAFF_TOKEN = os.environ["TENANCY_TOKEN"]
USERNAME = os.environ["TENANCY_USERNAME"]
PASSWORD = os.environ["TENANCY_PASSWORD"]
CUSTOMER = UUID(os.environ["TENANCY_CUSTOMER_UUID"])
APOLLO, BOREALIS = (UUID(u) for u in os.environ["TENANCY_PROJECT_UUIDS"].split(","))
CLI_USERNAME = os.environ["TENANCY_CLI_USERNAME"]

TIMEOUT = httpx.Timeout(60.0)
UTC = datetime.timezone.utc
DENIED = {"detail": "You do not have permission to perform this action."}
NO_CREDENTIALS = {"detail": "Authentication credentials were not provided."}
NO_CUSTOMER = {"detail": "No Customer matches the given query."}
NO_PROJECT = {"detail": "No Project matches the given query."}
NO_ROLE = {"detail": "No Role matches the given query."}
DUPLICATE = {"non_field_errors": ["User has already the same role in this scope."]}
WRONG_SCOPE = {"non_field_errors": ["Role is not valid for this scope."]}
INACTIVE_ROLE = {"non_field_errors": ["Role is not active."]}
NO_SUCH_GRANT = {"non_field_errors": ["User does not have this role in this scope."]}
ROLE_NOT_FOUND = {"role": ["Role is not found."]}
PAST = {"expiration_time": ["Expiration time should be greater than current time."]}

GRANT_KEYS = {
    "uuid", "created", "expiration_time", "role_name", "role_uuid", "user_email",
    "user_full_name", "user_username", "user_uuid", "user_image",
    "created_by_full_name", "created_by_uuid",
}
SYSTEM_GRANT_KEYS = GRANT_KEYS - {"created_by_full_name", "created_by_uuid"}
MEMBER_KEYS = {"url", "uuid", "username", "full_name", "email", "role_name", "projects", "expiration_time", "image"}
NESTED_KEYS = {"url", "uuid", "name", "role_name", "expiration_time"}
SYSTEM_ROLES = [
    "CUSTOMER.MANAGER", "CUSTOMER.OWNER", "CUSTOMER.SUPPORT",
    "PROJECT.ADMIN", "PROJECT.MANAGER", "PROJECT.MEMBER",
]
OWNER_PERMISSIONS = sorted([
    "CUSTOMER.UPDATE", "CUSTOMER.LIST_USERS", "PROJECT.LIST", "PROJECT.CREATE", "PROJECT.UPDATE",
    "PROJECT.DELETE", "PROJECT.CREATE_PERMISSION", "PROJECT.UPDATE_PERMISSION", "PROJECT.DELETE_PERMISSION",
])

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


def rejected(call, *args, **kwargs):
    """customers_add_user / projects_add_user document 400: sync returns None, sync_detailed
    keeps the body. Returns the decoded 400 body."""
    assert call.sync(*args, **kwargs) is None
    response = call.sync_detailed(*args, **kwargs)
    assert response.status_code == 400 and response.parsed is None, response
    return json.loads(response.content)


class PermissionList:
    """SDK 8.1.3 types RoleModifyRequest.permissions as an object
    (RoleModifyRequestPermissions, to_dict() -> dict); Waldur and spec 03 §7.3 take an array.
    This stands in for that model so that the SDK's own to_dict() sends a list."""

    def __init__(self, permissions: list[str]) -> None:
        self.permissions = permissions

    def to_dict(self) -> list[str]:
        return list(self.permissions)


def at(year, month, day, hour=0, minute=0, second=0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def check_role(role: RoleDetails, name: str, content_type: RoleType, *, system: bool, staff: bool) -> None:
    """The representation of 03 §7.1, as the SDK parsed it."""
    assert isinstance(role, RoleDetails), role
    assert isinstance(role.uuid, UUID), role.uuid
    assert role.name == name, (role.name, name)
    assert role.content_type == content_type, (role.name, role.content_type)
    assert role.is_system_role is system, role.is_system_role
    assert isinstance(role.is_active, bool), role.is_active
    assert isinstance(role.description, str), role.description
    assert role.permissions == sorted(role.permissions), role.permissions
    if staff:
        assert isinstance(role.users_count, int) and role.users_count >= 0, role.users_count
    else:
        assert role.users_count is None, role.users_count
    for key in ("template_uuid", "template_name", "customer_uuid", "customer_name"):
        assert getattr(role, key) is None, (key, getattr(role, key))
    assert isinstance(role.description_en, Unset), "per-language descriptions are omitted"
    # Exactly the keys SDK 8.1.3's RoleDetails models (spec 03 §7.1): nothing extra.
    assert role.additional_properties == {}, role.additional_properties


def check_grant(grant: UserRoleDetails, raw: dict, user: User, role: RoleDetails, expires, by) -> None:
    """An item of list_users (03 §5.1), parsed and raw; `by` None = a system-made grant."""
    assert isinstance(grant, UserRoleDetails), grant
    assert isinstance(grant.uuid, UUID) and raw["uuid"] == grant.uuid.hex, raw["uuid"]
    assert isinstance(grant.created, datetime.datetime) and grant.created.utcoffset() == datetime.timedelta(0)
    assert grant.expiration_time == expires, (user.username, role.name, grant.expiration_time, expires)
    assert grant.role_name == role.name and grant.role_uuid == role.uuid, (grant.role_name, role.name)
    assert grant.user_uuid == user.uuid and grant.user_username == user.username, grant.user_username
    assert grant.user_email == user.email and grant.user_full_name == user.full_name, grant.user_full_name
    assert grant.user_image is None, grant.user_image
    assert isinstance(grant.source, Unset), grant.source
    if by is None:
        assert set(raw) == SYSTEM_GRANT_KEYS, sorted(raw)
        assert isinstance(grant.created_by_uuid, Unset) and isinstance(grant.created_by_full_name, Unset)
    else:
        assert set(raw) == GRANT_KEYS, sorted(raw)
        assert grant.created_by_uuid == by.uuid, (grant.created_by_uuid, by.uuid)
        assert grant.created_by_full_name == by.full_name, grant.created_by_full_name
    assert grant.additional_properties == {}, grant.additional_keys


def project_url(uuid: UUID) -> str:
    return f"{BASE_URL}/api/projects/{uuid.hex}/"


def check_member(member: CustomerUser, raw: dict, user: User, role_name, expires, projects) -> None:
    """An item of users (03 §5.2); projects = [(project uuid, name, role name, expiry)]."""
    assert isinstance(member, CustomerUser), member
    assert set(raw) == MEMBER_KEYS, sorted(raw)
    assert member.url == f"{BASE_URL}/api/users/{user.uuid.hex}/", member.url
    assert member.uuid == user.uuid and member.username == user.username, member.username
    assert member.full_name == user.full_name and member.email == user.email, member.full_name
    assert member.role_name == role_name, (user.username, member.role_name, role_name)
    assert member.expiration_time == expires, (user.username, member.expiration_time, expires)
    assert member.image is None, member.image
    got = [(p.uuid, p.name, p.role_name, p.expiration_time) for p in member.projects]
    want = [(uuid.hex, name, role, exp) for uuid, name, role, exp in projects]
    assert got == want, (user.username, got, want)
    for nested, nested_raw in zip(member.projects, raw["projects"]):
        assert isinstance(nested, NestedProjectPermission)
        assert set(nested_raw) == NESTED_KEYS, sorted(nested_raw)
        assert nested.url == project_url(UUID(nested.uuid)), nested.url
        assert nested.additional_properties == {}, nested.additional_keys
    assert member.additional_properties == {}, member.additional_keys


def grants(client, scope=CUSTOMER, **filters) -> list[tuple[UserRoleDetails, dict]]:
    response = customers_list_users_list.sync_detailed(uuid=scope, client=client, **filters)
    assert response.status_code == 200, response
    return list(zip(response.parsed, json.loads(response.content)))


def pairs(client, scope=CUSTOMER, **filters) -> list[tuple[str, str]]:
    return [(g.user_username, g.role_name) for g, _ in grants(client, scope, **filters)]


def project_pairs(client, project, **filters) -> list[tuple[str, str]]:
    return [(g.user_username, g.role_name) for g in projects_list_users_list.sync(uuid=project, client=client, **filters)]


def members(client, **filters) -> list[tuple[CustomerUser, dict]]:
    response = customers_users_list.sync_detailed(customer_uuid=CUSTOMER, client=client, **filters)
    assert response.status_code == 200, response
    return list(zip(response.parsed, json.loads(response.content)))


def member_names(client, **filters) -> list[str]:
    return [m.username for m in customers_users_list.sync(customer_uuid=CUSTOMER, client=client, **filters)]


def main() -> None:
    step(f"waldur-api-client {version('waldur-api-client')} against {BASE_URL}")
    anonymous = Client(base_url=BASE_URL, timeout=TIMEOUT)
    staff = AuthenticatedClient(base_url=BASE_URL, token=STAFF_TOKEN, timeout=TIMEOUT)
    login = api_auth_password.sync(
        client=anonymous, body=ObtainAuthTokenRequest(username=USERNAME, password=PASSWORD)
    )
    user = AuthenticatedClient(base_url=BASE_URL, token=login.token, timeout=TIMEOUT)

    # ---------------------------------------------------------------- roles: look-up by name
    listed = roles_list.sync(client=anonymous)
    assert [r.name for r in listed] == SYSTEM_ROLES, [r.name for r in listed]
    for role in listed:
        kind = RoleType.CUSTOMER if role.name.startswith("CUSTOMER.") else RoleType.PROJECT
        check_role(role, role.name, kind, system=True, staff=False)
        assert role.is_active is True, role.name
    roles = {r.name: r for r in roles_list.sync(client=staff)}
    for role in roles.values():
        check_role(role, role.name, role.content_type, system=True, staff=True)
    owner, manager, support = roles["CUSTOMER.OWNER"], roles["CUSTOMER.MANAGER"], roles["CUSTOMER.SUPPORT"]
    p_admin, p_manager, p_member = roles["PROJECT.ADMIN"], roles["PROJECT.MANAGER"], roles["PROJECT.MEMBER"]
    assert owner.permissions == OWNER_PERMISSIONS, owner.permissions
    assert owner.description == "Organization owner", owner.description
    assert manager.permissions == [] and support.permissions == ["CUSTOMER.LIST_USERS"], support.permissions
    assert p_manager.permissions == sorted([
        "PROJECT.LIST", "PROJECT.UPDATE", "PROJECT.CREATE_PERMISSION",
        "PROJECT.UPDATE_PERMISSION", "PROJECT.DELETE_PERMISSION",
    ]), p_manager.permissions
    assert support.users_count == 1 and owner.users_count == 0, (support.users_count, owner.users_count)
    assert [r.uuid for r in roles_list.sync(client=anonymous, name="owner")] == [owner.uuid]
    assert [r.name for r in roles_list.sync(client=anonymous, content_type="project")] == SYSTEM_ROLES[3:]
    assert [r.name for r in roles_list.sync(client=staff, description="organization")] == SYSTEM_ROLES[:3]
    assert [r.name for r in roles_list.sync(client=staff, o=[RoleDetailsOEnum.VALUE_1])][:1] == ["PROJECT.MEMBER"]
    assert roles_count.sync(client=anonymous) == 6
    assert roles_count.sync(client=staff, is_system_role=True, content_type="customer") == 3
    check_role(roles_retrieve.sync(uuid=owner.uuid, client=anonymous), "CUSTOMER.OWNER", RoleType.CUSTOMER,
               system=True, staff=False)
    expect_json(404, NO_ROLE, roles_retrieve.sync, uuid=UUID(int=1), client=anonymous)
    step("roles_list / _count / _retrieve (anonymous and staff): 6 system roles parsed; UUIDs found by name")

    # ---------------------------------------------------------------- users
    people = {}
    for username, first, last in [
        ("alice", "Alice", "Liddell"), ("bob", "Bob", "Builder"),
        ("carol", "Carol", "King"), ("dave", "Aaron", "Dale"),
    ]:
        created = users_create.sync(
            client=staff,
            body=UserRequest(
                username=username, email=f"{username}@{'wonderland' if username == 'alice' else 'team'}.example",
                first_name=first, last_name=last,
            ),
        )
        assert isinstance(created, User) and created.username == username, created
        assert created.full_name == f"{first} {last}", created.full_name
        people[username] = created
    alice, bob, carol, dave = (people[n] for n in ("alice", "bob", "carol", "dave"))
    admin = users_me_retrieve.sync(client=staff)
    me = users_me_retrieve.sync(client=user)
    assert me.username == USERNAME and isinstance(me.uuid, UUID), me.username
    (cli,) = users_list.sync(client=staff, username=CLI_USERNAME)
    (sdk,) = users_list.sync(client=staff, username=USERNAME)
    assert sdk.uuid == me.uuid
    step("users_create (staff): alice, bob, carol, dave; users_me_retrieve / users_list find admin, sdk and cli users")

    # ---------------------------------------------------------------- add_user
    # The seed's add_user example: role by name, no expiration_time -> a permanent grant.
    added = customers_add_user.sync_detailed(
        uuid=str(CUSTOMER), client=staff, body=UserRoleCreateRequest(role="CUSTOMER.OWNER", user=str(alice.uuid))
    )
    assert added.status_code == 201, added
    assert json.loads(added.content) == {"expiration_time": None}, added.content
    assert isinstance(added.parsed, UserRoleExpirationTime) and added.parsed.expiration_time is None
    assert added.parsed.additional_properties == {}
    # By dashed UUID, with an aware datetime.
    got = customers_add_user.sync(
        uuid=CUSTOMER, client=staff,
        body=UserRoleCreateRequest(role=str(manager.uuid), user=bob.uuid, expiration_time=at(2031, 5, 6, 7, 8, 9)),
    )
    assert isinstance(got, UserRoleExpirationTime) and got.expiration_time == at(2031, 5, 6, 7, 8, 9), got
    # By hex UUID, with a bare date (the SDK types a datetime; a date goes as its ISO string).
    got = customers_add_user.sync_detailed(
        uuid=CUSTOMER, client=staff,
        body=UserRoleCreateRequest(
            role=owner.uuid.hex, user=carol.uuid,
            expiration_time=datetime.date(2030, 1, 31).isoformat(),  # type: ignore[arg-type]
        ),
    )
    assert got.status_code == 201 and json.loads(got.content) == {"expiration_time": "2030-01-31T00:00:00Z"}, got.content
    assert got.parsed.expiration_time == at(2030, 1, 31)
    # A second, different role on the same scope; a naive datetime means UTC.
    got = customers_add_user.sync(
        uuid=CUSTOMER, client=staff,
        body=UserRoleCreateRequest(role="CUSTOMER.SUPPORT", user=alice.uuid,
                                   expiration_time=datetime.datetime(2032, 2, 3, 4, 5, 6)),
    )
    assert got.expiration_time == at(2032, 2, 3, 4, 5, 6), got
    step("customers_add_user: 201 UserRoleExpirationTime — by name / dashed UUID / hex UUID; null, datetime, date, naive")

    body = UserRoleCreateRequest(role="CUSTOMER.OWNER", user=alice.uuid)
    assert rejected(customers_add_user, uuid=CUSTOMER, client=staff, body=body) == DUPLICATE
    longer = UserRoleCreateRequest(role=owner.uuid.hex, user=carol.uuid, expiration_time=at(2099, 1, 1))
    assert rejected(customers_add_user, uuid=CUSTOMER, client=staff, body=longer) == DUPLICATE
    for role in ("NO.SUCH.ROLE", str(UUID(int=42)), "customer.owner"):
        body = UserRoleCreateRequest(role=role, user=dave.uuid)
        assert rejected(customers_add_user, uuid=CUSTOMER, client=staff, body=body) == ROLE_NOT_FOUND, role
    body = UserRoleCreateRequest(role="PROJECT.MANAGER", user=dave.uuid)
    assert rejected(customers_add_user, uuid=CUSTOMER, client=staff, body=body) == WRONG_SCOPE
    body = UserRoleCreateRequest(role="CUSTOMER.OWNER", user=dave.uuid, expiration_time=at(2001, 1, 1))
    assert rejected(customers_add_user, uuid=CUSTOMER, client=staff, body=body) == PAST
    body = UserRoleCreateRequest(role="CUSTOMER.OWNER", user=dave.uuid, expiration_time="2001-01-01")  # type: ignore[arg-type]
    assert rejected(customers_add_user, uuid=CUSTOMER, client=staff, body=body) == PAST
    body = UserRoleCreateRequest(role="CUSTOMER.OWNER", user=dave.uuid, expiration_time="soon")  # type: ignore[arg-type]
    assert list(rejected(customers_add_user, uuid=CUSTOMER, client=staff, body=body)) == ["expiration_time"]
    body = UserRoleCreateRequest(role="CUSTOMER.OWNER", user=UUID(int=5))
    assert rejected(customers_add_user, uuid=CUSTOMER, client=staff, body=body) == {"user": ["User is not found."]}
    body = UserRoleCreateRequest(role="CUSTOMER.OWNER", user="not-a-uuid")  # type: ignore[arg-type]
    assert rejected(customers_add_user, uuid=CUSTOMER, client=staff, body=body) == {"user": ["Must be a valid UUID."]}
    body = UserRoleCreateRequest(role="NO.SUCH.ROLE", user=UUID(int=5), expiration_time=at(2001, 1, 1))
    assert rejected(customers_add_user, uuid=CUSTOMER, client=staff, body=body) == {
        **ROLE_NOT_FOUND, "user": ["User is not found."], **PAST,
    }
    body = UserRoleCreateRequest(role="CUSTOMER.OWNER", user=dave.uuid)
    expect_json(404, NO_CUSTOMER, customers_add_user.sync, uuid=UUID(int=9), client=staff, body=body)
    expect_json(401, NO_CREDENTIALS, customers_add_user.sync, uuid=CUSTOMER, client=anonymous, body=body)
    step("customers_add_user errors: duplicate (even longer) / unknown role / project role / past / bad user -> "
         "None with 400 bodies; 404; anonymous 401")

    # ---------------------------------------------------------------- list_users
    # The seed's list_users example: iterate the items.
    items = grants(staff)
    expected = [
        (cli, support, None, None),
        (alice, owner, None, admin),
        (bob, manager, at(2031, 5, 6, 7, 8, 9), admin),
        (carol, owner, at(2030, 1, 31), admin),
        (alice, support, at(2032, 2, 3, 4, 5, 6), admin),
    ]
    assert len(items) == len(expected), [g.user_username for g, _ in items]
    for (grant, raw), (who, role, expires, by) in zip(items, expected):
        check_grant(grant, raw, who, role, expires, by)
    assert len({g.uuid for g, _ in items}) == 5
    assert customers_list_users_list.sync(uuid=str(CUSTOMER), client=staff)[1].to_dict() == items[1][0].to_dict()
    step("customers_list_users_list (seed example): 5 UserRoleDetails by created — the CLI grant without created_by_*")

    assert pairs(staff, role=["CUSTOMER.OWNER"]) == [("alice", "CUSTOMER.OWNER"), ("carol", "CUSTOMER.OWNER")]
    assert pairs(staff, role=[str(manager.uuid), "CUSTOMER.SUPPORT"]) == [
        (CLI_USERNAME, "CUSTOMER.SUPPORT"), ("bob", "CUSTOMER.MANAGER"), ("alice", "CUSTOMER.SUPPORT"),
    ]
    assert pairs(staff, role=[owner.uuid.hex]) == pairs(staff, role=["CUSTOMER.OWNER"])
    assert pairs(staff, role=["NO.SUCH.ROLE"]) == []
    assert pairs(staff, username="alice") == [("alice", "CUSTOMER.OWNER"), ("alice", "CUSTOMER.SUPPORT")]
    assert pairs(staff, username="ALICE") == []
    assert pairs(staff, user=bob.uuid) == [("bob", "CUSTOMER.MANAGER")]
    assert pairs(staff, user=UUID(int=3)) == []
    assert pairs(staff, user_url=f"{BASE_URL}/api/users/{carol.uuid.hex}/") == [("carol", "CUSTOMER.OWNER")]
    assert pairs(staff, full_name="LIDDELL") == [("alice", "CUSTOMER.OWNER"), ("alice", "CUSTOMER.SUPPORT")]
    assert pairs(staff, search_string="carol@team") == [("carol", "CUSTOMER.OWNER")]
    assert [u for u, _ in pairs(staff, o=[UserRoleDetailsOEnum.USERNAME])] == [
        "alice", "alice", "bob", "carol", CLI_USERNAME,
    ]
    assert pairs(staff, o=[UserRoleDetailsOEnum.ROLE, UserRoleDetailsOEnum.USERNAME]) == [
        ("bob", "CUSTOMER.MANAGER"), ("alice", "CUSTOMER.OWNER"), ("carol", "CUSTOMER.OWNER"),
        ("alice", "CUSTOMER.SUPPORT"), (CLI_USERNAME, "CUSTOMER.SUPPORT"),
    ]
    dated = [g.expiration_time for g, _ in grants(staff, o=[UserRoleDetailsOEnum.EXPIRATION_TIME])]
    assert [d for d in dated if d is not None] == [at(2030, 1, 31), at(2031, 5, 6, 7, 8, 9), at(2032, 2, 3, 4, 5, 6)]
    by_name = [u for u, _ in pairs(staff, o=[UserRoleDetailsOEnum.FULL_NAME])]
    assert by_name == [CLI_USERNAME, "alice", "alice", "bob", "carol"], by_name
    page = customers_list_users_list.sync_detailed(uuid=CUSTOMER, client=staff, page=2, page_size=2)
    assert [g.user_username for g in page.parsed] == ["bob", "carol"], page.parsed
    assert page.headers["x-result-count"] == "5", dict(page.headers)
    expect_status(400, customers_list_users_list.sync, uuid=CUSTOMER, client=staff, user="nope")
    expect_json(404, NO_CUSTOMER, customers_list_users_list.sync, uuid=UUID(int=9), client=staff)
    expect_json(404, NO_CUSTOMER, customers_list_users_list.sync, uuid=CUSTOMER, client=user)
    expect_json(401, NO_CREDENTIALS, customers_list_users_list.sync, uuid=CUSTOMER, client=anonymous)
    step("customers_list_users_list(role= name/UUID/several, username=, user=, user_url=, full_name=, search_string=, "
         "o=, page=): filtered; bad user 400; invisible 404; anonymous 401")

    count = customers_list_users_count.sync_detailed(uuid=CUSTOMER, client=staff)
    assert count.status_code == 200 and count.content == b"" and count.parsed == 5, count
    assert customers_list_users_count.sync(uuid=CUSTOMER, client=staff, role=["CUSTOMER.OWNER"]) == 2
    assert customers_list_users_count.sync(uuid=CUSTOMER, client=staff, username="alice", page_size=1) == 2
    expect_status(404, customers_list_users_count.sync, uuid=CUSTOMER, client=user)
    step("customers_list_users_count (HEAD): 5, 2 with role=, 2 with username=; invisible 404")

    # ---------------------------------------------------------------- project grants
    got = projects_add_user.sync(
        uuid=APOLLO, client=staff,
        body=UserRoleCreateRequest(role="PROJECT.MEMBER", user=dave.uuid,
                                   expiration_time="2033-03-03"),  # type: ignore[arg-type]
    )
    assert isinstance(got, UserRoleExpirationTime) and got.expiration_time == at(2033, 3, 3), got
    got = projects_add_user.sync(
        uuid=str(BOREALIS), client=staff, body=UserRoleCreateRequest(role=str(p_manager.uuid), user=alice.uuid)
    )
    assert got.expiration_time is None, got
    got = projects_add_user.sync(uuid=APOLLO, client=staff, body=UserRoleCreateRequest(role="PROJECT.ADMIN", user=carol.uuid))
    assert got.expiration_time is None, got
    got = projects_add_user.sync(uuid=APOLLO, client=staff, body=UserRoleCreateRequest(role="PROJECT.MEMBER", user=sdk.uuid))
    assert got.expiration_time is None, got
    body = UserRoleCreateRequest(role="CUSTOMER.OWNER", user=dave.uuid)
    assert rejected(projects_add_user, uuid=APOLLO, client=staff, body=body) == WRONG_SCOPE
    body = UserRoleCreateRequest(role="PROJECT.MEMBER", user=dave.uuid)
    assert rejected(projects_add_user, uuid=APOLLO, client=staff, body=body) == DUPLICATE
    expect_json(404, NO_PROJECT, projects_add_user.sync, uuid=UUID(int=9), client=staff, body=body)
    assert project_pairs(staff, APOLLO) == [("dave", "PROJECT.MEMBER"), ("carol", "PROJECT.ADMIN"), (USERNAME, "PROJECT.MEMBER")]
    assert project_pairs(staff, BOREALIS) == [("alice", "PROJECT.MANAGER")]
    assert project_pairs(user, APOLLO, role=["PROJECT.ADMIN"]) == [("carol", "PROJECT.ADMIN")]
    assert projects_list_users_count.sync(uuid=APOLLO, client=staff) == 3
    assert pairs(staff) == pairs(staff, role=["CUSTOMER.OWNER", "CUSTOMER.MANAGER", "CUSTOMER.SUPPORT"])
    assert len(pairs(staff)) == 5, "project grants are not customer grants"
    step("projects_add_user: 201 (date, UUID role, name); customer role 400, duplicate 400, 404; "
         "projects_list_users_list / _count")

    # ---------------------------------------------------------------- users (people of the customer)
    # The seed's users example: customers_users_list.sync(customer_uuid=..., client=...).
    listed = members(staff)
    expected = [
        (alice, "CUSTOMER.OWNER", None, [(BOREALIS, "Borealis", "PROJECT.MANAGER", None)]),
        (bob, "CUSTOMER.MANAGER", at(2031, 5, 6, 7, 8, 9), []),
        (carol, "CUSTOMER.OWNER", at(2030, 1, 31), [(APOLLO, "Apollo", "PROJECT.ADMIN", None)]),
        (cli, "CUSTOMER.SUPPORT", None, []),
        (dave, None, None, [(APOLLO, "Apollo", "PROJECT.MEMBER", at(2033, 3, 3))]),
        (sdk, None, None, [(APOLLO, "Apollo", "PROJECT.MEMBER", None)]),
    ]
    assert [m.username for m, _ in listed] == [w.username for w, *_ in expected], [m.username for m, _ in listed]
    for (member, raw), (who, role_name, expires, projects) in zip(listed, expected):
        check_member(member, raw, who, role_name, expires, projects)
    step("customers_users_list (seed example): 6 CustomerUser by username — role_name/expiration_time of the "
         "earliest customer grant, nested NestedProjectPermission projects")

    owner_filter = [CustomersUsersListOrganizationRoleItemType0.CUSTOMER_OWNER]
    assert member_names(staff, organization_role=owner_filter) == ["alice", "carol"]
    assert member_names(staff, organization_role=["CUSTOMER.SUPPORT"]) == ["alice", CLI_USERNAME]
    assert member_names(staff, project_role=[CustomersUsersListProjectRoleItemType0.PROJECT_MEMBER]) == ["dave", USERNAME]
    assert member_names(
        staff, organization_role=[CustomersUsersListOrganizationRoleItemType0.CUSTOMER_MANAGER], project_role=["PROJECT.ADMIN"]
    ) == ["bob", "carol"]
    assert member_names(staff, project_role=["PROJECT.MEMBER", "PROJECT.MANAGER"]) == ["alice", "dave", USERNAME]
    assert member_names(staff, username="dave") == ["dave"]
    assert member_names(staff, user_keyword="LIDDELL") == ["alice"]
    assert member_names(staff, user_keyword="team.example") == ["bob", "carol", "dave"]
    assert member_names(staff, email="wonderland") == ["alice"]
    assert member_names(staff, full_name="king") == ["carol"]
    assert member_names(staff, is_active=False) == []
    assert member_names(staff, o=CustomerUserOEnum.CONCATENATED_NAME) == [
        "dave", "alice", "bob", "carol", CLI_USERNAME, USERNAME,
    ], member_names(staff, o=CustomerUserOEnum.CONCATENATED_NAME)
    assert member_names(staff, o=CustomerUserOEnum.VALUE_1) == [
        USERNAME, CLI_USERNAME, "carol", "bob", "alice", "dave",
    ]
    assert member_names(staff, date_joined=at(2000, 1, 1)) == [w.username for w, *_ in expected]
    assert member_names(staff, date_joined=at(2999, 1, 1)) == []
    page = customers_users_list.sync_detailed(customer_uuid=CUSTOMER, client=staff, page=3, page_size=2)
    assert [m.username for m in page.parsed] == ["dave", USERNAME] and page.headers["x-result-count"] == "6"
    count = customers_users_count.sync_detailed(customer_uuid=CUSTOMER, client=staff)
    assert count.status_code == 200 and count.content == b"" and count.parsed == 6, count
    assert customers_users_count.sync(customer_uuid=CUSTOMER, client=staff, organization_role=owner_filter) == 2
    step("customers_users_list(organization_role=, project_role=, both, username=, user_keyword=, email=, full_name=, "
         "is_active=, o=±concatenated_name, date_joined=, page=) and customers_users_count (HEAD)")

    # ---------------------------------------------------------------- a project member (no customer grant)
    assert pairs(user) == pairs(staff), "a project member sees the customer's grants"
    expect_json(403, DENIED, customers_users_list.sync, customer_uuid=CUSTOMER, client=user)
    expect_status(403, customers_users_count.sync, customer_uuid=CUSTOMER, client=user)
    body = UserRoleCreateRequest(role="CUSTOMER.SUPPORT", user=dave.uuid)
    expect_json(403, DENIED, customers_add_user.sync, uuid=CUSTOMER, client=user, body=body)
    # 403 comes before field errors (03 §5.0).
    bad = UserRoleCreateRequest(role="NO.SUCH.ROLE", user=UUID(int=5))
    expect_json(403, DENIED, customers_add_user.sync, uuid=CUSTOMER, client=user, body=bad)
    expect_json(403, DENIED, projects_add_user.sync, uuid=APOLLO, client=user, body=UserRoleCreateRequest(
        role="PROJECT.MEMBER", user=bob.uuid))
    expect_json(404, NO_PROJECT, projects_add_user.sync, uuid=BOREALIS, client=user, body=body)
    expect_json(401, NO_CREDENTIALS, customers_users_list.sync, customer_uuid=CUSTOMER, client=anonymous)
    step("project member: list_users 200; users 403 {detail}; customer / project add_user 403 (before field "
         "errors); invisible project 404; anonymous users 401")

    # ---------------------------------------------------------------- update_user
    # The seed's update_user example: no expiration_time -> permanent.
    body = UserRoleUpdateRequest(role="CUSTOMER.MANAGER", user=bob.uuid, expiration_time=at(2040, 1, 1))
    updated = customers_update_user.sync_detailed(uuid=str(CUSTOMER), client=staff, body=body)
    assert updated.status_code == 200 and json.loads(updated.content) == {"expiration_time": "2040-01-01T00:00:00Z"}
    assert isinstance(updated.parsed, UserRoleExpirationTime) and updated.parsed.expiration_time == at(2040, 1, 1)
    assert grants(staff, user=bob.uuid)[0][0].expiration_time == at(2040, 1, 1)
    body = UserRoleUpdateRequest(role=manager.uuid.hex, user=bob.uuid, expiration_time="2030-06-30")  # type: ignore[arg-type]
    assert customers_update_user.sync(uuid=CUSTOMER, client=staff, body=body).expiration_time == at(2030, 6, 30)
    body = UserRoleUpdateRequest(role="CUSTOMER.MANAGER", user=bob.uuid, expiration_time=None)
    updated = customers_update_user.sync_detailed(uuid=CUSTOMER, client=staff, body=body)
    assert json.loads(updated.content) == {"expiration_time": None} and updated.parsed.expiration_time is None
    (bob_grant, _), = grants(staff, user=bob.uuid)
    assert bob_grant.expiration_time is None and bob_grant.created_by_uuid == admin.uuid
    body = UserRoleUpdateRequest(role="CUSTOMER.OWNER", user=carol.uuid)
    assert customers_update_user.sync(uuid=CUSTOMER, client=staff, body=body).expiration_time is None
    assert grants(staff, user=carol.uuid)[0][0].expiration_time is None
    assert [m.expiration_time for m in customers_users_list.sync(customer_uuid=CUSTOMER, client=staff, username="carol")] == [None]
    body = UserRoleUpdateRequest(role="CUSTOMER.MANAGER", user=alice.uuid)
    expect_json(400, NO_SUCH_GRANT, customers_update_user.sync, uuid=CUSTOMER, client=staff, body=body)
    body = UserRoleUpdateRequest(role="CUSTOMER.MANAGER", user=bob.uuid, expiration_time=at(2001, 1, 1))
    expect_json(400, PAST, customers_update_user.sync, uuid=CUSTOMER, client=staff, body=body)
    body = UserRoleUpdateRequest(role="NO.SUCH.ROLE", user=bob.uuid)
    expect_json(400, ROLE_NOT_FOUND, customers_update_user.sync, uuid=CUSTOMER, client=staff, body=body)
    body = UserRoleUpdateRequest(role="CUSTOMER.MANAGER", user=bob.uuid, expiration_time=at(2050, 1, 1))
    expect_json(403, DENIED, customers_update_user.sync, uuid=CUSTOMER, client=user, body=body)
    expect_json(404, NO_CUSTOMER, customers_update_user.sync, uuid=UUID(int=9), client=staff, body=body)
    assert grants(staff, user=bob.uuid)[0][0].expiration_time is None, "nothing changed"
    body = UserRoleUpdateRequest(role="PROJECT.MEMBER", user=dave.uuid, expiration_time=None)
    assert projects_update_user.sync(uuid=APOLLO, client=staff, body=body).expiration_time is None
    step("customers_update_user: 200 UserRoleExpirationTime — extend, shorten (date), null and absent -> permanent; "
         "no grant / past / unknown role 400 (raised); 403; 404; projects_update_user")

    # ---------------------------------------------------------------- delete_user
    # The seed's delete_user example calls customers_delete_user.sync(...); SDK 8.1.3 only
    # generates sync_detailed for this operation (its only success is an empty 200).
    assert not hasattr(customers_delete_user, "sync")
    body = UserRoleDeleteRequest(role="CUSTOMER.OWNER", user=carol.uuid)
    deleted = customers_delete_user.sync_detailed(uuid=str(CUSTOMER), client=staff, body=body)
    assert deleted.status_code == 200 and deleted.parsed is None and deleted.content == b"", deleted
    assert pairs(staff, user=carol.uuid) == []
    assert customers_list_users_count.sync(uuid=CUSTOMER, client=staff) == 4
    check_member(*members(staff, username="carol")[0], carol, None, None, [(APOLLO, "Apollo", "PROJECT.ADMIN", None)])
    again = customers_delete_user.sync_detailed(uuid=CUSTOMER, client=staff, body=body)
    assert again.status_code == 200 and again.parsed is None and again.content == b"", again
    body = UserRoleDeleteRequest(role="CUSTOMER.OWNER", user=carol.uuid, expiration_time=at(2001, 1, 1))
    expect_json(400, PAST, customers_delete_user.sync_detailed, uuid=CUSTOMER, client=staff, body=body)
    body = UserRoleDeleteRequest(role="NO.SUCH.ROLE", user=carol.uuid)
    expect_json(400, ROLE_NOT_FOUND, customers_delete_user.sync_detailed, uuid=CUSTOMER, client=staff, body=body)
    body = UserRoleDeleteRequest(role="CUSTOMER.MANAGER", user=bob.uuid)
    expect_json(403, DENIED, customers_delete_user.sync_detailed, uuid=CUSTOMER, client=user, body=body)
    expect_json(404, NO_CUSTOMER, customers_delete_user.sync_detailed, uuid=UUID(int=9), client=staff, body=body)
    # A grant can be made again after revocation.
    got = customers_add_user.sync(
        uuid=CUSTOMER, client=staff, body=UserRoleCreateRequest(role="CUSTOMER.OWNER", user=carol.uuid)
    )
    assert got.expiration_time is None
    assert pairs(staff, user=carol.uuid) == [("carol", "CUSTOMER.OWNER")]
    deleted = projects_delete_user.sync_detailed(
        uuid=APOLLO, client=staff, body=UserRoleDeleteRequest(role="PROJECT.ADMIN", user=carol.uuid)
    )
    assert deleted.status_code == 200 and deleted.parsed is None, deleted
    assert project_pairs(staff, APOLLO) == [("dave", "PROJECT.MEMBER"), (USERNAME, "PROJECT.MEMBER")]
    step("customers_delete_user (sync_detailed): 200 empty, grant gone from list_users (users keeps the project grant); second delete "
         "200 empty; past / unknown role 400; 403; 404; re-grant; projects_delete_user")

    # ---------------------------------------------------------------- a non-staff owner
    got = customers_add_user.sync(uuid=CUSTOMER, client=staff, body=UserRoleCreateRequest(role="CUSTOMER.OWNER", user=sdk.uuid))
    assert got.expiration_time is None
    assert USERNAME in member_names(user, organization_role=owner_filter)
    assert customers_users_count.sync(customer_uuid=CUSTOMER, client=user) == 6
    body = UserRoleCreateRequest(role="CUSTOMER.SUPPORT", user=dave.uuid)
    expect_json(403, DENIED, customers_add_user.sync, uuid=CUSTOMER, client=user, body=body)
    body = UserRoleDeleteRequest(role="CUSTOMER.OWNER", user=sdk.uuid)
    expect_json(403, DENIED, customers_delete_user.sync_detailed, uuid=CUSTOMER, client=user, body=body)
    # Owners manage project grants in every project of their customer.
    got = projects_add_user.sync(uuid=BOREALIS, client=user, body=UserRoleCreateRequest(role="PROJECT.ADMIN", user=bob.uuid))
    assert isinstance(got, UserRoleExpirationTime) and got.expiration_time is None
    (grant,) = [g for g in projects_list_users_list.sync(uuid=BOREALIS, client=user) if g.user_uuid == bob.uuid]
    assert grant.created_by_uuid == sdk.uuid and grant.created_by_full_name == sdk.full_name, grant
    body = UserRoleUpdateRequest(role="PROJECT.ADMIN", user=bob.uuid, expiration_time=at(2045, 1, 1))
    assert projects_update_user.sync(uuid=BOREALIS, client=user, body=body).expiration_time == at(2045, 1, 1)
    step("owner (non-staff): users 200; customer add_user / delete_user 403; projects_add_user / update_user 201/200 "
         "with created_by = the owner")

    # Staff give owners CUSTOMER.CREATE_PERMISSION through PUT (the SDK's RoleModifyRequest).
    extended = roles_update.sync(
        uuid=owner.uuid, client=staff,
        body=RoleModifyRequest(
            name="CUSTOMER.OWNER", content_type="customer", description="Organization owner",
            permissions=PermissionList(OWNER_PERMISSIONS + ["CUSTOMER.CREATE_PERMISSION"]),  # type: ignore[arg-type]
        ),
    )
    check_role(extended, "CUSTOMER.OWNER", RoleType.CUSTOMER, system=True, staff=True)
    assert "CUSTOMER.CREATE_PERMISSION" in extended.permissions and extended.users_count == 3, extended
    got = customers_add_user.sync(uuid=CUSTOMER, client=user, body=UserRoleCreateRequest(role="CUSTOMER.SUPPORT", user=dave.uuid))
    assert isinstance(got, UserRoleExpirationTime), got
    (grant, raw), = grants(staff, user=dave.uuid)
    check_grant(grant, raw, dave, support, None, sdk)
    restored = roles_update.sync(
        uuid=owner.uuid, client=staff,
        body=RoleModifyRequest(
            name="CUSTOMER.OWNER", content_type="customer", description="Organization owner",
            permissions=PermissionList(OWNER_PERMISSIONS),  # type: ignore[arg-type]
        ),
    )
    assert restored.permissions == OWNER_PERMISSIONS, restored.permissions
    body = UserRoleCreateRequest(role="CUSTOMER.MANAGER", user=dave.uuid)
    expect_json(403, DENIED, customers_add_user.sync, uuid=CUSTOMER, client=user, body=body)
    step("roles_update CUSTOMER.OWNER + CUSTOMER.CREATE_PERMISSION: the owner's add_user 201 (created_by = owner); "
         "restored: 403 again")

    # ---------------------------------------------------------------- roles: writes
    # As the SDK generates it, RoleModifyRequest sends permissions as an object.
    verbatim = RoleModifyRequestPermissions()
    verbatim["CUSTOMER.LIST_USERS"] = True
    expect_json(
        400, {"permissions": ['Expected a list of items but got type "dict".']},
        roles_create.sync, client=staff,
        body=RoleModifyRequest(name="SDK.AUDITOR", content_type="customer", permissions=verbatim),
    )
    created = roles_create.sync_detailed(
        client=staff,
        body=RoleModifyRequest(
            name="SDK.AUDITOR", content_type="customer", description="Reads the team",
            permissions=PermissionList(["PROJECT.LIST", "CUSTOMER.LIST_USERS", "CUSTOMER.LIST_USERS"]),  # type: ignore[arg-type]
        ),
    )
    assert created.status_code == 201, created
    auditor = created.parsed
    check_role(auditor, "SDK.AUDITOR", RoleType.CUSTOMER, system=False, staff=True)
    assert auditor.permissions == ["CUSTOMER.LIST_USERS", "PROJECT.LIST"] and auditor.users_count == 0
    assert auditor.is_active is True and auditor.description == "Reads the team"
    assert [r.uuid for r in roles_list.sync(client=anonymous, is_system_role=False)] == [auditor.uuid]
    assert roles_count.sync(client=anonymous) == 7
    check_role(roles_retrieve.sync(uuid=auditor.uuid, client=user), "SDK.AUDITOR", RoleType.CUSTOMER,
               system=False, staff=False)
    for name, perms, content_type, error in [
        ("SDK.AUDITOR", ["PROJECT.LIST"], "customer", {"non_field_errors": ["Name should be unique."]}),
        ("SDK.OTHER", ["PROJECT.LIST", "NOT.A.PERMISSION"], "customer", {"permissions": ["Invalid permissions NOT.A.PERMISSION"]}),
        ("SDK.OTHER", ["PROJECT.LIST"], "offering", {"content_type": ["Invalid content type."]}),
    ]:
        body = RoleModifyRequest(name=name, content_type=content_type, permissions=PermissionList(perms))  # type: ignore[arg-type]
        expect_json(400, error, roles_create.sync, client=staff, body=body)
    body = RoleModifyRequest(name="SDK.OTHER", content_type="customer", permissions=PermissionList([]))  # type: ignore[arg-type]
    expect_json(403, DENIED, roles_create.sync, client=user, body=body)
    expect_json(401, NO_CREDENTIALS, roles_create.sync, client=anonymous, body=body)
    step("roles_create: the SDK's object-typed permissions 400; with a list 201 RoleDetails (custom, sorted, deduped); "
         "unique name / bad permission / bad content type 400; 403; 401")

    disabled = roles_disable.sync_detailed(uuid=auditor.uuid, client=staff)
    assert disabled.status_code == 200 and disabled.parsed is None, disabled
    assert json.loads(disabled.content) == {"detail": "The role SDK.AUDITOR has been disabled"}, disabled.content
    assert roles_disable.sync_detailed(uuid=auditor.uuid, client=staff).status_code == 200
    assert roles_retrieve.sync(uuid=auditor.uuid, client=staff).is_active is False
    assert [r.uuid for r in roles_list.sync(client=staff, is_active=False)] == [auditor.uuid]
    body = UserRoleCreateRequest(role="SDK.AUDITOR", user=bob.uuid)
    assert rejected(customers_add_user, uuid=CUSTOMER, client=staff, body=body) == INACTIVE_ROLE
    expect_status(403, roles_enable.sync_detailed, uuid=auditor.uuid, client=user)
    enabled = roles_enable.sync_detailed(uuid=auditor.uuid, client=staff)
    assert enabled.status_code == 200 and enabled.parsed is None
    assert json.loads(enabled.content) == {"detail": "The role SDK.AUDITOR has been enabled"}, enabled.content
    expect_json(404, NO_ROLE, roles_enable.sync_detailed, uuid=UUID(int=1), client=staff)
    got = customers_add_user.sync(uuid=CUSTOMER, client=staff, body=body)
    assert isinstance(got, UserRoleExpirationTime), got
    assert pairs(staff, role=["SDK.AUDITOR"]) == [("bob", "SDK.AUDITOR")]
    assert member_names(staff, organization_role=["SDK.AUDITOR"]) == ["bob"]
    assert roles_retrieve.sync(uuid=auditor.uuid, client=staff).users_count == 1
    step("roles_disable / roles_enable: 200 {detail}, idempotent; a disabled role 400 'Role is not active.'; "
         "enabled: granted (custom role names in role= and organization_role=)")

    patched = roles_partial_update.sync(
        uuid=auditor.uuid, client=staff,
        body=PatchedRoleDetailsRequest(name="SDK.AUDITOR.RENAMED", description="Renamed"),
    )
    check_role(patched, "SDK.AUDITOR.RENAMED", RoleType.CUSTOMER, system=False, staff=True)
    assert patched.description == "Renamed" and patched.permissions == auditor.permissions
    assert pairs(staff, user=bob.uuid) == [("bob", "CUSTOMER.MANAGER"), ("bob", "SDK.AUDITOR.RENAMED")]
    expect_json(
        400, {"non_field_errors": ["Changing name for system role is not possible."]},
        roles_partial_update.sync, uuid=owner.uuid, client=staff, body=PatchedRoleDetailsRequest(name="OWNER"),
    )
    body = RoleModifyRequest(name="SDK.AUDITOR.RENAMED", content_type="project",
                             permissions=PermissionList(["PROJECT.LIST"]))  # type: ignore[arg-type]
    expect_json(
        400, {"content_type": ["Changing scope of a role that is in use is not possible."]},
        roles_update.sync, uuid=auditor.uuid, client=staff, body=body,
    )
    expect_json(403, DENIED, roles_partial_update.sync, uuid=auditor.uuid, client=user,
                body=PatchedRoleDetailsRequest(description="x"))
    expect_json(400, ["Role is still used."], roles_destroy.sync_detailed, uuid=auditor.uuid, client=staff)
    expect_json(400, ["Destroying of system role is not available."], roles_destroy.sync_detailed,
                uuid=owner.uuid, client=staff)
    expect_json(403, DENIED, roles_destroy.sync_detailed, uuid=auditor.uuid, client=user)
    revoked = customers_delete_user.sync_detailed(
        uuid=CUSTOMER, client=staff, body=UserRoleDeleteRequest(role=str(auditor.uuid), user=bob.uuid)
    )
    assert revoked.status_code == 200, revoked
    destroyed = roles_destroy.sync_detailed(uuid=auditor.uuid, client=staff)
    assert destroyed.status_code == 204 and destroyed.parsed is None and destroyed.content == b"", destroyed
    expect_json(404, NO_ROLE, roles_retrieve.sync, uuid=auditor.uuid, client=staff)
    expect_json(404, NO_ROLE, roles_destroy.sync_detailed, uuid=auditor.uuid, client=staff)
    assert roles_count.sync(client=staff) == 6
    step("roles_partial_update: renamed (list_users follows); system rename / in-use scope change 400; "
         "roles_destroy: in use / system 400, 403, revoked -> 204, then 404")

    step("SDK team scenario passed")


if __name__ == "__main__":
    try:
        main()
    except Exception:
        print("SDK team scenario FAILED", file=sys.stderr, flush=True)
        raise
