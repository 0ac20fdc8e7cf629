"""Drive Tenancy's customer API with Waldur's own Python SDK (waldur-api-client).

Run by tests/api/sdk.rs against a freshly spawned service on an empty database:

    TENANCY_BASE_URL   http://127.0.0.1:<port>
    TENANCY_TOKEN      a staff user's token
    TENANCY_USERNAME   a non-staff user that has a password ...
    TENANCY_PASSWORD   ... and this is it

Every step prints one progress line; any failed assertion or SDK exception ends the
script with a non-zero exit status (and a traceback naming the step).
"""

import asyncio
import datetime
import json
import os
import re
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
    customers_destroy,
    customers_list,
    customers_partial_update,
    customers_retrieve,
    customers_update,
)
from waldur_api_client.client import AuthenticatedClient, Client
from waldur_api_client.models import (
    AuthTokenChallenge,
    BlankEnum,
    CoreAuthToken,
    CountryEnum,
    Customer,
    CustomerFieldEnum,
    CustomerRequest,
    NestedPriceEstimate,
    ObtainAuthTokenRequest,
    PatchedCustomerRequest,
)
from waldur_api_client.types import Unset
from waldur_api_client.utils import parse_link_header

BASE_URL = os.environ["TENANCY_BASE_URL"].rstrip("/")
STAFF_TOKEN = os.environ["TENANCY_TOKEN"]
USERNAME = os.environ["TENANCY_USERNAME"]
PASSWORD = os.environ["TENANCY_PASSWORD"]

TIMEOUT = httpx.Timeout(60.0)
NOT_FOUND = {"detail": "No Customer matches the given query."}
UTC = datetime.timezone.utc

# sync_all() always asks for page_size=100, so more than 200 customers make it follow
# the Link header's `next` twice.
BULK = 205

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


def check_full_customer(customer: Customer) -> None:
    """What every full representation must give the SDK (02 §1, 01 §5, §6)."""
    assert isinstance(customer, Customer)
    assert isinstance(customer.uuid, UUID), customer.uuid
    assert customer.url == f"{BASE_URL}/api/customers/{customer.uuid.hex}/", customer.url
    assert isinstance(customer.created, datetime.datetime), customer.created
    assert customer.created.tzinfo is not None and customer.created.utcoffset() == datetime.timedelta(0)
    assert isinstance(customer.accounting_start_date, datetime.datetime)
    assert isinstance(customer.country, (CountryEnum, BlankEnum)), customer.country
    assert isinstance(customer.billing_price_estimate, NestedPriceEstimate)
    assert customer.billing_price_estimate.total == 0.0
    assert customer.organization_groups == []
    assert customer.payment_profiles == []
    assert customer.default_affiliations == []
    assert customer.image is None
    assert customer.customer_credit is None
    assert customer.service_provider is None and customer.service_provider_uuid is None
    assert customer.has_affiliate_links is False
    assert customer.has_active_helpdesk is False
    assert isinstance(customer.projects_count, int) and isinstance(customer.users_count, int)
    assert isinstance(customer.default_tax_percent, str), customer.default_tax_percent
    # Every key the service emits is one the SDK model knows.
    assert customer.additional_properties == {}, customer.additional_keys


def main() -> None:
    step(f"waldur-api-client {version('waldur-api-client')} against {BASE_URL}")
    anonymous = Client(base_url=BASE_URL, timeout=TIMEOUT)
    staff = AuthenticatedClient(base_url=BASE_URL, token=STAFF_TOKEN, timeout=TIMEOUT)

    # ---------------------------------------------------------------- login
    login = api_auth_password.sync_detailed(
        client=anonymous, body=ObtainAuthTokenRequest(username=USERNAME, password=PASSWORD)
    )
    assert login.status_code == 200, login
    assert isinstance(login.parsed, CoreAuthToken), login.parsed
    user_token = login.parsed.token
    assert re.fullmatch(r"[0-9a-f]{40}", user_token), user_token
    step("api_auth_password: 200, a 40-hex token")

    user = AuthenticatedClient(base_url=BASE_URL, token=user_token, timeout=TIMEOUT)
    assert customers_list.sync(client=user) == []
    assert customers_count.sync(client=user) == 0
    step("the issued token authenticates (the user sees no customers yet)")

    # 8.1.x parses a 401 from /api-auth/password/ into AuthTokenChallenge (it does not
    # return None and does not raise).
    wrong = api_auth_password.sync_detailed(
        client=anonymous, body=ObtainAuthTokenRequest(username=USERNAME, password=PASSWORD + "-wrong")
    )
    assert wrong.status_code == 401, wrong
    assert isinstance(wrong.parsed, AuthTokenChallenge), wrong.parsed
    assert wrong.parsed.detail == "Invalid username/password.", wrong.parsed.detail
    assert not wrong.parsed.passkey_required
    assert wrong.headers.get("www-authenticate") == "Token", dict(wrong.headers)
    again = api_auth_password.sync(
        client=anonymous, body=ObtainAuthTokenRequest(username=USERNAME, password=PASSWORD + "-wrong")
    )
    assert isinstance(again, AuthTokenChallenge) and again.detail == "Invalid username/password."
    step("wrong password: 401 parsed as AuthTokenChallenge('Invalid username/password.')")

    body = expect_status(401, customers_list.sync, client=anonymous)
    assert json.loads(body) == {"detail": "Authentication credentials were not provided."}, body
    bogus = AuthenticatedClient(base_url=BASE_URL, token="0" * 40, timeout=TIMEOUT)
    expect_status(401, customers_count.sync, client=bogus)
    step("anonymous list and unknown-token HEAD: 401 raised as UnexpectedStatus")

    # ---------------------------------------------------------------- create
    rich_request = CustomerRequest(
        name="Alpha Scenario Org",
        native_name="Alfa Stsenaariumi OÜ",
        abbreviation="ASO",
        description="Created by the Waldur SDK scenario.",
        contact_details="Tallinn, Estonia",
        email="alpha@example.ee",
        homepage="https://alpha.example.ee/",
        phone_number="+372 5555 1234",
        registration_code="12345678",
        agreement_number="AGR-001",
        backend_id="alpha-backend",
        vat_code="EE123456789",
        country=CountryEnum.EE,
        postal="10111",
        address="Narva mnt 1",
        city="Tallinn",
        street="Narva mnt",
        house_nr="1",
        bank_name="Scenario Bank",
        bank_account="EE382200221020145685",
        latitude=59.437,
        longitude=24.7536,
        notification_emails="ops@example.ee, billing@example.ee",
        default_tax_percent="22.00",
        sponsor_number=42,
        grace_period_days=30,
        max_service_accounts=5,
        display_billing_info_in_projects=False,
        access_subnets="10.0.0.0/8, 2001:db8::/32",
        user_email_patterns=[r".*@example\.ee"],
        user_affiliations=["staff@example.ee"],
        user_identity_sources=["eduGAIN"],
        domain="example.ee",
        # A naive datetime: the SDK sends isoformat() without an offset, meaning UTC.
        accounting_start_date=datetime.datetime(2025, 1, 2, 3, 4, 5),
        project_slug_template="{customer_slug}-{counter}",
    )
    created = customers_create.sync_detailed(client=staff, body=rich_request)
    assert created.status_code == 201, created
    alpha = created.parsed
    check_full_customer(alpha)
    assert created.headers.get("location") == alpha.url, (created.headers.get("location"), alpha.url)
    assert alpha.name == "Alpha Scenario Org"
    assert alpha.native_name == "Alfa Stsenaariumi OÜ"
    assert alpha.display_name == "ASO"
    assert alpha.email == "alpha@example.ee"
    assert alpha.homepage == "https://alpha.example.ee/"
    assert alpha.phone_number == "+372 5555 1234"
    assert alpha.vat_code == "EE123456789"
    assert alpha.country == CountryEnum.EE, alpha.country
    assert alpha.country_name == "Estonia", alpha.country_name
    assert alpha.registration_code == "12345678"
    assert alpha.agreement_number == "AGR-001"
    assert alpha.backend_id == "alpha-backend"
    assert alpha.city == "Tallinn" and alpha.postal == "10111" and alpha.house_nr == "1"
    assert alpha.latitude == 59.437 and alpha.longitude == 24.7536
    assert alpha.notification_emails == "ops@example.ee, billing@example.ee"
    assert alpha.default_tax_percent == "22.00", alpha.default_tax_percent
    assert alpha.sponsor_number == 42 and alpha.grace_period_days == 30
    assert alpha.max_service_accounts == 5
    assert alpha.display_billing_info_in_projects is False
    assert alpha.access_subnets == "10.0.0.0/8, 2001:db8::/32"
    assert alpha.user_email_patterns == [r".*@example\.ee"]
    assert alpha.user_affiliations == ["staff@example.ee"]
    assert alpha.user_identity_sources == ["eduGAIN"]
    assert alpha.domain == "example.ee"
    assert alpha.accounting_start_date == datetime.datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC), (
        alpha.accounting_start_date
    )
    assert alpha.project_slug_template == "{customer_slug}-{counter}"
    assert alpha.slug == "alpha-sc-1", alpha.slug
    assert alpha.blocked is False and alpha.archived is False
    assert alpha.projects_count == 0 and alpha.users_count == 0
    step(f"customers_create (many fields): 201, Location, slug {alpha.slug}, country {alpha.country.value}")

    beta = customers_create.sync(client=staff, body=CustomerRequest(name="Beta Scenario Org"))
    check_full_customer(beta)
    assert beta.country == BlankEnum.VALUE_0 and beta.country_name is None
    assert beta.display_name == "Beta Scenario Org"
    assert beta.email == "" and beta.latitude is None and beta.default_tax_percent == "0.00"
    gamma = customers_create.sync(
        client=staff,
        body=CustomerRequest(name="gamma scenario org", domain="gamma.example.org", country=CountryEnum.FI),
    )
    check_full_customer(gamma)
    assert gamma.display_name == "gamma scenario org (gamma.example.org)", gamma.display_name
    assert gamma.country == CountryEnum.FI and gamma.country_name == "Finland"
    step("customers_create (name only, and name+domain+country): parsed by the SDK")

    for i in range(BULK):
        customers_create.sync(client=staff, body=CustomerRequest(name=f"Bulk {i:03d}"))
    total = BULK + 3
    step(f"customers_create x{BULK} more ({total} customers in all)")

    # ---------------------------------------------------------------- list: filters
    named = customers_list.sync(client=staff, name="SCENARIO org")
    assert [c.name for c in named] == ["Alpha Scenario Org", "Beta Scenario Org", "gamma scenario org"], [
        c.name for c in named
    ]
    for customer in named:
        check_full_customer(customer)
    step("customers_list(name=...): icontains, default order by name")

    assert [c.uuid for c in customers_list.sync(client=staff, query="alpha scen")] == [alpha.uuid]
    assert [c.uuid for c in customers_list.sync(client=staff, query="ASO")] == [alpha.uuid]
    assert [c.uuid for c in customers_list.sync(client=staff, query=str(beta.uuid))] == [beta.uuid]
    assert customers_list.sync(client=staff, query="no such customer anywhere") == []
    assert [c.uuid for c in customers_list.sync(client=staff, name_exact="gamma scenario org")] == [gamma.uuid]
    assert [c.uuid for c in customers_list.sync(client=staff, registration_code="12345678")] == [alpha.uuid]
    step("customers_list(query=..., name_exact=..., registration_code=...): filtered")

    # ---------------------------------------------------------------- list: ordering
    desc = customers_list.sync(client=staff, name="scenario", o="-name")
    assert [c.uuid for c in desc] == [gamma.uuid, beta.uuid, alpha.uuid], [c.name for c in desc]
    by_created = customers_list.sync(client=staff, name="scenario", o="-created")
    assert [c.uuid for c in by_created] == [gamma.uuid, beta.uuid, alpha.uuid]
    by_abbrev = customers_list.sync(client=staff, name="scenario", o="-abbreviation,name")
    assert [c.uuid for c in by_abbrev] == [alpha.uuid, beta.uuid, gamma.uuid], [c.name for c in by_abbrev]
    ignored = customers_list.sync(client=staff, name="scenario", o="no_such_key")
    assert [c.uuid for c in ignored] == [alpha.uuid, beta.uuid, gamma.uuid]
    step("customers_list(o=...): -name, -created, -abbreviation,name; unknown key ignored")

    # ---------------------------------------------------------------- list: field
    selected = [CustomerFieldEnum.UUID, CustomerFieldEnum.NAME, CustomerFieldEnum.COUNTRY]
    response = customers_list.sync_detailed(client=staff, name="scenario", field=selected)
    assert response.status_code == 200
    raw = json.loads(response.content)
    assert [sorted(item) for item in raw] == [["country", "name", "uuid"]] * 3, raw
    for customer, expected in zip(response.parsed, [alpha, beta, gamma]):
        assert customer.uuid == expected.uuid and customer.name == expected.name
        assert customer.country == expected.country
        for absent in ("url", "created", "email", "slug", "display_name", "accounting_start_date",
                       "billing_price_estimate", "blocked", "projects_count", "latitude"):
            assert isinstance(getattr(customer, absent), Unset), (absent, getattr(customer, absent))
        assert customer.additional_properties == {}
    step("customers_list(field=[uuid, name, country]): only those keys; the rest UNSET")

    # ---------------------------------------------------------------- list: paging
    page1 = customers_list.sync_detailed(client=staff, name="scenario", page=1, page_size=2)
    assert [c.uuid for c in page1.parsed] == [alpha.uuid, beta.uuid]
    assert page1.headers["x-result-count"] == "3", dict(page1.headers)
    links = parse_link_header(page1.headers["link"])
    assert set(links) == {"first", "next", "last"}, links
    assert parse_qs(urlparse(links["next"]).query)["page"] == ["2"], links
    page2 = customers_list.sync_detailed(client=staff, name="scenario", page=2, page_size=2)
    assert [c.uuid for c in page2.parsed] == [gamma.uuid]
    links = parse_link_header(page2.headers["link"])
    assert set(links) == {"first", "prev", "last"}, links
    assert "page" not in parse_qs(urlparse(links["prev"]).query), links
    expect_status(404, customers_list.sync, client=staff, name="scenario", page=3, page_size=2)
    step("customers_list(page=, page_size=): pages, X-Result-Count, Link rels; page 3 -> 404")

    # Follow `next` the way sync_all() does, with a small page size and a filter+ordering
    # whose values need encoding in the Link URLs.
    walked: list[Customer] = []
    params = {"name": "bulk", "o": "-name,created", "page_size": 7}
    page = None
    pages = 0
    while True:
        kwargs = dict(params) if page is None else dict(params, page=int(page))
        response = customers_list.sync_detailed(client=staff, **kwargs)
        walked.extend(response.parsed)
        pages += 1
        links = parse_link_header(response.headers.get("Link", ""))
        if "next" not in links:
            break
        page = parse_qs(urlparse(links["next"]).query)["page"][0]
        assert parse_qs(urlparse(links["next"]).query)["o"] == ["-name,created"], links["next"]
    assert pages == -(-BULK // 7), pages
    assert [c.name for c in walked] == [f"Bulk {i:03d}" for i in reversed(range(BULK))]
    step(f"Link rel=next walked over {pages} pages of 7 (o=-name,created)")

    # ---------------------------------------------------------------- sync_all
    everything = customers_list.sync_all(client=staff)
    assert len(everything) == total, len(everything)
    assert len({c.uuid for c in everything}) == total
    names = [c.name for c in everything]
    assert names == sorted(names, key=lambda n: (n.lower(), n)), names[:5]
    bulk_desc = customers_list.sync_all(client=staff, name="Bulk", o="-name", field=[CustomerFieldEnum.NAME])
    assert [c.name for c in bulk_desc] == [f"Bulk {i:03d}" for i in reversed(range(BULK))]
    assert all(isinstance(c.uuid, Unset) for c in bulk_desc)
    async_all = asyncio.run(_asyncio_all())
    assert [c.uuid for c in async_all] == [c.uuid for c in everything]
    step(f"customers_list.sync_all / asyncio_all: {len(everything)} customers over 3 pages of 100")

    # ---------------------------------------------------------------- count (HEAD)
    count = customers_count.sync_detailed(client=staff)
    assert count.status_code == 200 and count.content == b"", count
    assert count.parsed == total == len(everything), count.parsed
    assert customers_count.sync(client=staff, name="scenario") == 3 == len(named)
    assert customers_count.sync(client=staff, name="bulk", page_size=1) == BULK
    assert customers_count.sync(client=staff, query="nothing matches this") == 0
    step(f"customers_count (HEAD): {count.parsed}, and with filters")

    # ---------------------------------------------------------------- retrieve
    got = customers_retrieve.sync(alpha.uuid, client=staff)  # the SDK puts str(UUID), dashed, in the path
    check_full_customer(got)
    assert got.to_dict() == alpha.to_dict()
    partial = customers_retrieve.sync_detailed(
        beta.uuid, client=staff, field=[CustomerFieldEnum.NAME, CustomerFieldEnum.URL]
    )
    assert json.loads(partial.content) == {"url": beta.url, "name": "Beta Scenario Org"}, partial.content
    assert partial.parsed.name == beta.name and isinstance(partial.parsed.uuid, Unset)
    body = expect_status(404, customers_retrieve.sync, UUID(int=12345), client=staff)
    assert json.loads(body) == NOT_FOUND, body
    body = expect_status(404, customers_retrieve.sync, alpha.uuid, client=user)
    assert json.loads(body) == NOT_FOUND, body
    step("customers_retrieve: by dashed UUID, with field; unknown and invisible -> 404")

    # ---------------------------------------------------------------- update (PUT)
    put = customers_update.sync_detailed(
        alpha.uuid,
        client=staff,
        body=CustomerRequest(name="Alpha Scenario Org Renamed", email="renamed@example.ee", abbreviation=""),
    )
    assert put.status_code == 200, put
    renamed = put.parsed
    check_full_customer(renamed)
    assert renamed.uuid == alpha.uuid
    assert renamed.name == "Alpha Scenario Org Renamed"
    assert renamed.email == "renamed@example.ee"
    assert renamed.display_name == "Alpha Scenario Org Renamed (example.ee)", renamed.display_name
    # PUT keeps the fields it does not send (DRF behaviour, 01 §4.1); the slug is not regenerated.
    assert renamed.homepage == alpha.homepage and renamed.vat_code == alpha.vat_code
    assert renamed.country == CountryEnum.EE and renamed.latitude == alpha.latitude
    assert renamed.slug == alpha.slug
    body = expect_status(400, customers_update.sync, beta.uuid, client=staff, body=CustomerRequest(name="  "))
    assert json.loads(body) == {"name": ["This field may not be blank."]}, body
    step("customers_update (PUT): 200, renamed, omitted fields kept; blank name -> 400")

    # ---------------------------------------------------------------- partial update (PATCH)
    patched = customers_partial_update.sync(
        alpha.uuid,
        client=staff,
        body=PatchedCustomerRequest(
            homepage="https://alpha.example.ee/new",
            country=BlankEnum.VALUE_0,
            latitude=None,
            default_tax_percent="9.50",
            user_email_patterns=[],
        ),
    )
    check_full_customer(patched)
    assert patched.homepage == "https://alpha.example.ee/new"
    assert patched.country == BlankEnum.VALUE_0 and patched.country_name is None
    assert patched.latitude is None and patched.longitude == alpha.longitude
    assert patched.default_tax_percent == "9.50", patched.default_tax_percent
    assert patched.user_email_patterns == []
    assert patched.name == "Alpha Scenario Org Renamed" and patched.email == "renamed@example.ee"
    noop = customers_partial_update.sync(alpha.uuid, client=staff, body=PatchedCustomerRequest())
    assert noop.to_dict() == patched.to_dict()
    assert customers_retrieve.sync(alpha.uuid, client=staff).to_dict() == patched.to_dict()
    step("customers_partial_update (PATCH): 200, only the sent keys changed; {} is a no-op")

    # ---------------------------------------------------------------- validation errors
    body = expect_status(
        400, customers_create.sync, client=staff, body=CustomerRequest(name="Bad", email="not-an-email")
    )
    assert json.loads(body) == {"email": ["Enter a valid email address."]}, body
    body = expect_status(
        400,
        customers_create.sync_detailed,
        client=staff,
        body=CustomerRequest(name="Bad", homepage="not a url", country=CountryEnum.EE, vat_code="EE12"),
    )
    assert json.loads(body) == {"homepage": ["Enter a valid URL."], "vat_code": ["VAT number has invalid format."]}, body
    body = expect_status(
        400,
        customers_partial_update.sync,
        beta.uuid,
        client=staff,
        body=PatchedCustomerRequest(phone_number="call me", latitude=91.0),
    )
    assert set(json.loads(body)) == {"phone_number", "latitude"}, body
    assert customers_count.sync(client=staff) == total
    assert customers_retrieve.sync(beta.uuid, client=staff).phone_number == ""
    step("400s (bad email; bad URL + VAT; bad phone + latitude) raise UnexpectedStatus; nothing stored")

    body = expect_status(403, customers_create.sync, client=user, body=CustomerRequest(name="Not mine"))
    assert json.loads(body) == {"detail": "You do not have permission to perform this action."}, body
    step("non-staff customers_create: 403")

    # ---------------------------------------------------------------- delete
    expect_status(404, customers_destroy.sync_detailed, beta.uuid, client=user)
    deleted = customers_destroy.sync_detailed(beta.uuid, client=staff)
    assert deleted.status_code == 204 and deleted.parsed is None and deleted.content == b"", deleted
    body = expect_status(404, customers_retrieve.sync, beta.uuid, client=staff)
    assert json.loads(body) == NOT_FOUND, body
    expect_status(404, customers_destroy.sync_detailed, beta.uuid, client=staff)
    assert customers_count.sync(client=staff) == total - 1
    assert [c.uuid for c in customers_list.sync(client=staff, name="scenario")] == [alpha.uuid, gamma.uuid]
    step("customers_destroy: 204; then retrieve and delete are 404, count drops by one")

    step("SDK scenario passed")


async def _asyncio_all() -> list[Customer]:
    async with AuthenticatedClient(base_url=BASE_URL, token=STAFF_TOKEN, timeout=TIMEOUT) as client:
        return await customers_list.asyncio_all(client=client)


if __name__ == "__main__":
    try:
        main()
    except Exception:
        print("SDK scenario FAILED", file=sys.stderr, flush=True)
        raise
