//! The permission matrix: every customer, team, organization-group and role endpoint ×
//! nine kinds of caller, with the status each gets (spec 01 §2.5, §8.3; 02 §6, §6.0;
//! 03 §2, §3, §5, §6, §7; 04 §5, §7.1).
//!
//! Each test builds one world — a customer "Org" with one project "P" and one user per
//! principal — runs its rows for every principal, collects every cell and asserts once,
//! printing the whole matrix with the mismatching cells marked (and their bodies).
//! Destructive rows get a fresh target per call, so no cell depends on the order of calls.

use reqwest::Method;
use serde_json::{json, Value};
use tenancy_tests::{json, sql, TestApp};

/// Number of principals (columns).
const N: usize = 9;

/// Column headers, in the order of every `expected` array.
const WHO: [&str; N] = [
    "anon", "user", "owner", "manager", "c.supp", "p.admin", "support", "staff", "expired",
];

/// Usernames of the principals (`None` = anonymous).
const USERNAMES: [Option<&str>; N] = [
    None,
    Some("plain"),
    Some("owner"),
    Some("manager"),
    Some("csupport"),
    Some("padmin"),
    Some("support"),
    Some("staff"),
    Some("expired"),
];

const OWNER: usize = 2;
const MANAGER: usize = 3;
const CSUPPORT: usize = 4;
const PADMIN: usize = 5;
const SUPPORT: usize = 6;
const STAFF: usize = 7;
const EXPIRED: usize = 8;

/// In the "lists Org" row: 200 and Org is in the list / 200 and it is not.
const LISTED: u16 = 1;
const UNLISTED: u16 = 0;

/// One row of the matrix as observed.
struct Cell {
    endpoint: String,
    expected: [u16; N],
    got: [u16; N],
    bodies: Vec<String>,
}

/// Collects rows and asserts once at the end.
#[derive(Default)]
struct Report {
    cells: Vec<Cell>,
}

impl Report {
    fn push(&mut self, endpoint: impl Into<String>, expected: [u16; N], got: Vec<(u16, String)>) {
        let mut statuses = [0; N];
        let mut bodies = Vec::with_capacity(N);
        for (i, (status, body)) in got.into_iter().enumerate() {
            statuses[i] = status;
            bodies.push(body);
        }
        self.cells.push(Cell {
            endpoint: endpoint.into(),
            expected,
            got: statuses,
            bodies,
        });
    }

    /// Prints the observed matrix (`!` after a cell = differs from the spec) and fails
    /// when any cell differs.
    fn finish(self) {
        let width = self
            .cells
            .iter()
            .map(|c| c.endpoint.len())
            .max()
            .unwrap_or(0);
        let mut table = format!("{:width$}", "endpoint");
        for who in WHO {
            table.push_str(&format!(" {who:>8}"));
        }
        table.push('\n');
        let mut details = String::new();
        for cell in &self.cells {
            table.push_str(&format!("{:width$}", cell.endpoint));
            let columns = WHO
                .iter()
                .zip(cell.expected)
                .zip(cell.got)
                .zip(&cell.bodies);
            for (((who, expected), got), body) in columns {
                let mark = if got == expected { " " } else { "!" };
                table.push_str(&format!(" {got:>7}{mark}"));
                if got != expected {
                    let body: String = body.chars().take(300).collect();
                    details.push_str(&format!(
                        "  {} as {who}: expected {expected}, got {got} — body: {body}\n",
                        cell.endpoint
                    ));
                }
            }
            table.push('\n');
        }
        println!("{table}");
        assert!(
            details.is_empty(),
            "permission matrix mismatches (observed matrix, `!` = differs from the spec):\n\
             {table}\nmismatches:\n{details}"
        );
    }
}

/// The shared fixture: Org, its project P, a token per principal.
struct World {
    app: TestApp,
    tokens: Vec<Option<String>>,
    org: String,
    project: String,
    /// Text replaced in row labels (UUIDs by names, the base URL by nothing).
    aliases: Vec<(String, String)>,
}

/// The hex UUID of user `username`.
async fn user_uuid(app: &TestApp, username: &str) -> String {
    sql(
        app,
        &format!("SELECT replace(uuid::text, '-', '') FROM users WHERE username = '{username}'"),
    )
    .await[0]
        .get(0)
}

/// A customer created by staff; its hex UUID.
async fn customer(app: &TestApp, name: &str) -> String {
    app.create_customer(&json!({ "name": name })).await["uuid"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A project of `customer`, stored directly (no projects API yet); its hex UUID.
async fn project(app: &TestApp, customer: &str, name: &str) -> String {
    sql(
        app,
        &format!(
            "INSERT INTO projects (uuid, customer_id, name, slug, created, modified) \
             SELECT gen_random_uuid(), id, '{name}', '{name}-' || substr(md5(random()::text), 1, 8), now(), now() \
             FROM customers WHERE uuid = '{customer}' RETURNING replace(uuid::text, '-', '')"
        ),
    )
    .await[0]
        .get(0)
}

/// Staff grant `role` on `/api/{collection}/{scope}/` to `username`; asserts 201.
async fn grant(app: &TestApp, username: &str, role: &str, collection: &str, scope: &str) {
    let user = user_uuid(app, username).await;
    let response = app
        .post(
            &format!("/api/{collection}/{scope}/add_user/"),
            &json!({ "user": user, "role": role }),
        )
        .await;
    assert_eq!(response.status(), 201, "grant {role} to {username}");
}

/// Moves every grant of `username` one second into the past.
async fn expire_grants_of(app: &TestApp, username: &str) {
    sql(
        app,
        &format!(
            "UPDATE grants SET expiration_time = now() - interval '1 second' \
             WHERE user_id = (SELECT id FROM users WHERE username = '{username}')"
        ),
    )
    .await;
}

/// A staff-made organization group; its representation.
async fn group(app: &TestApp, name: &str) -> Value {
    let response = app
        .post("/api/organization-groups/", &json!({ "name": name }))
        .await;
    assert_eq!(response.status(), 201, "create group {name}");
    json(response).await
}

/// Gives principal `who` on `customer` the relationship it has with Org (for a project
/// admin: a new project of `customer` with a `PROJECT.ADMIN` grant).
async fn relate(app: &TestApp, who: usize, customer: &str) {
    let Some(username) = USERNAMES[who] else {
        return;
    };
    match who {
        OWNER => grant(app, username, "CUSTOMER.OWNER", "customers", customer).await,
        MANAGER => grant(app, username, "CUSTOMER.MANAGER", "customers", customer).await,
        CSUPPORT => grant(app, username, "CUSTOMER.SUPPORT", "customers", customer).await,
        PADMIN => {
            let p = project(app, customer, "Q").await;
            grant(app, username, "PROJECT.ADMIN", "projects", &p).await;
        }
        EXPIRED => {
            grant(app, username, "CUSTOMER.OWNER", "customers", customer).await;
            expire_grants_of(app, username).await;
        }
        _ => {}
    }
}

impl World {
    async fn new() -> World {
        let app = TestApp::spawn().await;
        let org = customer(&app, "Org").await;
        let project = project(&app, &org, "P").await;
        let mut tokens = Vec::with_capacity(N);
        for (i, username) in USERNAMES.iter().enumerate() {
            tokens.push(match username {
                None => None,
                Some(name) => Some(app.create_user(name, i == STAFF, i == SUPPORT).await),
            });
        }
        let aliases = vec![
            (app.base.clone(), String::new()),
            (org.clone(), "{Org}".to_owned()),
            (project.clone(), "{P}".to_owned()),
        ];
        let world = World {
            app,
            tokens,
            org,
            project,
            aliases,
        };
        let org = world.org.clone();
        for who in [OWNER, MANAGER, CSUPPORT, EXPIRED] {
            relate(&world.app, who, &org).await;
        }
        let username = USERNAMES[PADMIN].unwrap();
        grant(
            &world.app,
            username,
            "PROJECT.ADMIN",
            "projects",
            &world.project,
        )
        .await;
        world
    }

    fn token(&self, who: usize) -> Option<&str> {
        self.tokens[who].as_deref()
    }

    /// One request as principal `who`: the status and the body text.
    async fn call(
        &self,
        who: usize,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> (u16, String) {
        let response = self.app.request(method, path, self.token(who), body).await;
        let status = response.status().as_u16();
        (status, response.text().await.unwrap_or_default())
    }

    /// A row whose request is the same for every principal.
    async fn row(
        &self,
        report: &mut Report,
        method: Method,
        path: &str,
        body: Option<Value>,
        expected: [u16; N],
    ) {
        let mut got = Vec::with_capacity(N);
        for who in 0..N {
            got.push(self.call(who, method.clone(), path, body.as_ref()).await);
        }
        let label = match &body {
            Some(body) => format!("{method} {path} {body}"),
            None => format!("{method} {path}"),
        };
        report.push(self.label(&label), expected, got);
    }

    /// `text` with the aliases applied.
    fn label(&self, text: &str) -> String {
        self.aliases
            .iter()
            .fold(text.to_owned(), |text, (from, to)| text.replace(from, to))
    }
}

#[tokio::test]
async fn matrix_customer_reads() {
    let w = World::new().await;
    let org = w.org.clone();
    let detail = format!("/api/customers/{org}/");
    let mut report = Report::default();

    // expected = [anon, user, owner, manager, c.support, p.admin, support, staff, expired]
    w.row(
        &mut report,
        Method::GET,
        "/api/customers/",
        None,
        [401, 200, 200, 200, 200, 200, 200, 200, 200],
    )
    .await;

    // Whether Org is in the list (02 §6.0): any customer grant or a grant in an active
    // project; support and staff see everything; an expired grant gives nothing.
    let mut got = Vec::with_capacity(N);
    for who in 0..N {
        let (status, body) = w
            .call(who, Method::GET, "/api/customers/?page_size=300", None)
            .await;
        let outcome = if status == 200 {
            let list: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
            let listed = list
                .as_array()
                .is_some_and(|items| items.iter().any(|c| c["uuid"] == org.as_str()));
            if listed {
                LISTED
            } else {
                UNLISTED
            }
        } else {
            status
        };
        got.push((outcome, body));
    }
    report.push(
        "GET /api/customers/ lists Org? (1 = yes, 0 = no)",
        [
            401, UNLISTED, LISTED, LISTED, LISTED, LISTED, LISTED, LISTED, UNLISTED,
        ],
        got,
    );

    w.row(
        &mut report,
        Method::HEAD,
        "/api/customers/",
        None,
        [401, 200, 200, 200, 200, 200, 200, 200, 200],
    )
    .await;
    w.row(
        &mut report,
        Method::GET,
        &detail,
        None,
        [401, 404, 200, 200, 200, 200, 200, 200, 404],
    )
    .await;
    w.row(
        &mut report,
        Method::HEAD,
        &detail,
        None,
        [401, 404, 200, 200, 200, 200, 200, 200, 404],
    )
    .await;

    report.finish();
}

#[tokio::test]
async fn matrix_customer_writes() {
    let mut w = World::new().await;
    let org = w.org.clone();
    let detail = format!("/api/customers/{org}/");
    let mut report = Report::default();

    // Create: staff only; everyone authenticated else 403 (02 §6.3).
    // expected = [anon, user, owner, manager, c.support, p.admin, support, staff, expired]
    w.row(
        &mut report,
        Method::POST,
        "/api/customers/",
        Some(json!({"name": "New"})),
        [401, 403, 403, 403, 403, 403, 403, 201, 403],
    )
    .await;
    // Update: staff or has(CUSTOMER.UPDATE) = owners; visible without it 403; invisible
    // 404 (02 §6.4). The body keeps Org's name, so the cells do not depend on order.
    w.row(
        &mut report,
        Method::PUT,
        &detail,
        Some(json!({"name": "Org"})),
        [401, 404, 200, 403, 403, 403, 403, 200, 404],
    )
    .await;
    w.row(
        &mut report,
        Method::PATCH,
        &detail,
        Some(json!({"name": "Org"})),
        [401, 404, 200, 403, 403, 403, 403, 200, 404],
    )
    .await;

    // Delete: staff only; visible non-staff 403; invisible 404 (02 §6.5). A fresh target
    // per principal, related to it as Org is (the project admin's target has a project,
    // so only the 403 before the 409 check is exercised; staff's target has none).
    let mut got = Vec::with_capacity(N);
    for who in 0..N {
        let target = customer(&w.app, &format!("Doomed {who}")).await;
        relate(&w.app, who, &target).await;
        got.push(
            w.call(
                who,
                Method::DELETE,
                &format!("/api/customers/{target}/"),
                None,
            )
            .await,
        );
    }
    report.push(
        "DELETE /api/customers/{fresh target related like Org}/",
        [401, 404, 403, 403, 403, 403, 403, 204, 404],
        got,
    );

    // Memberships: staff only, checked before the lookup (04 §7.1): 403 even when the
    // customer is invisible.
    let g = group(&w.app, "Members").await;
    w.aliases
        .push((g["uuid"].as_str().unwrap().to_owned(), "{G}".to_owned()));
    w.row(
        &mut report,
        Method::POST,
        &format!("/api/customers/{org}/update_organization_groups/"),
        Some(json!({"organization_groups": [g["url"]]})),
        [401, 403, 403, 403, 403, 403, 403, 200, 403],
    )
    .await;

    report.finish();
}

#[tokio::test]
async fn matrix_team_and_roles() {
    let mut w = World::new().await;
    let org = w.org.clone();
    let mut report = Report::default();

    // list_users: anyone who can see the customer (03 §5.1, §6).
    // users: staff, support, has(CUSTOMER.LIST_USERS) = owner and customer support;
    // visible without it 403 (03 §5.2, §6).
    // expected = [anon, user, owner, manager, c.support, p.admin, support, staff, expired]
    let list_users = format!("/api/customers/{org}/list_users/");
    let users = format!("/api/customers/{org}/users/");
    w.row(
        &mut report,
        Method::GET,
        &list_users,
        None,
        [401, 404, 200, 200, 200, 200, 200, 200, 404],
    )
    .await;
    w.row(
        &mut report,
        Method::HEAD,
        &list_users,
        None,
        [401, 404, 200, 200, 200, 200, 200, 200, 404],
    )
    .await;
    w.row(
        &mut report,
        Method::GET,
        &users,
        None,
        [401, 404, 200, 403, 200, 403, 200, 200, 404],
    )
    .await;
    w.row(
        &mut report,
        Method::HEAD,
        &users,
        None,
        [401, 404, 200, 403, 200, 403, 200, 200, 404],
    )
    .await;

    // add_user / update_user / delete_user on the customer: staff only by default (owners
    // lack CUSTOMER.*_PERMISSION, 03 §3, §5.3–§5.5, §6); visible non-staff 403; invisible
    // 404. Each call targets a fresh user, so staff's 2xx does not depend on order.
    for (action, expected) in [
        ("add_user", [401, 404, 403, 403, 403, 403, 403, 201, 404]),
        ("update_user", [401, 404, 403, 403, 403, 403, 403, 200, 404]),
        ("delete_user", [401, 404, 403, 403, 403, 403, 403, 200, 404]),
    ] {
        let mut got = Vec::with_capacity(N);
        for who in 0..N {
            let target = format!("{}{who}", &action[..3]);
            w.app.create_user(&target, false, false).await;
            if action != "add_user" {
                grant(&w.app, &target, "CUSTOMER.SUPPORT", "customers", &org).await;
            }
            let body = match action {
                "update_user" => json!({
                    "user": user_uuid(&w.app, &target).await,
                    "role": "CUSTOMER.SUPPORT",
                    "expiration_time": "2099-12-31",
                }),
                _ => json!({
                    "user": user_uuid(&w.app, &target).await,
                    "role": "CUSTOMER.SUPPORT",
                }),
            };
            got.push(
                w.call(
                    who,
                    Method::POST,
                    &format!("/api/customers/{org}/{action}/"),
                    Some(&body),
                )
                .await,
            );
        }
        report.push(
            format!("POST /api/customers/{{Org}}/{action}/ (another user's CUSTOMER.SUPPORT)"),
            expected,
            got,
        );
    }

    // Roles: reads open to everyone including anonymous; writes staff only (03 §7).
    w.row(
        &mut report,
        Method::GET,
        "/api/roles/",
        None,
        [200, 200, 200, 200, 200, 200, 200, 200, 200],
    )
    .await;
    w.row(
        &mut report,
        Method::HEAD,
        "/api/roles/",
        None,
        [200, 200, 200, 200, 200, 200, 200, 200, 200],
    )
    .await;
    let owner_role = sql(
        &w.app,
        "SELECT replace(uuid::text, '-', '') FROM roles WHERE name = 'CUSTOMER.OWNER'",
    )
    .await[0]
        .get::<_, String>(0);
    w.aliases
        .push((owner_role.clone(), "{CUSTOMER.OWNER}".to_owned()));
    w.row(
        &mut report,
        Method::GET,
        &format!("/api/roles/{owner_role}/"),
        None,
        [200, 200, 200, 200, 200, 200, 200, 200, 200],
    )
    .await;
    let mut got = Vec::with_capacity(N);
    for who in 0..N {
        let body = json!({
            "name": format!("Custom role {who}"),
            "permissions": ["CUSTOMER.UPDATE"],
            "content_type": "customer",
        });
        got.push(w.call(who, Method::POST, "/api/roles/", Some(&body)).await);
    }
    report.push(
        "POST /api/roles/ {fresh name, customer, [CUSTOMER.UPDATE]}",
        [401, 403, 403, 403, 403, 403, 403, 201, 403],
        got,
    );

    report.finish();
}

#[tokio::test]
async fn matrix_organization_groups() {
    let mut w = World::new().await;
    let g = group(&w.app, "G").await;
    w.aliases
        .push((g["uuid"].as_str().unwrap().to_owned(), "{G}".to_owned()));
    let detail = format!("/api/organization-groups/{}/", g["uuid"].as_str().unwrap());
    let mut report = Report::default();

    // Reads: anyone including anonymous. Writes: staff only, permission before lookup
    // (04 §5).
    // expected = [anon, user, owner, manager, c.support, p.admin, support, staff, expired]
    w.row(
        &mut report,
        Method::GET,
        "/api/organization-groups/",
        None,
        [200, 200, 200, 200, 200, 200, 200, 200, 200],
    )
    .await;
    w.row(
        &mut report,
        Method::HEAD,
        "/api/organization-groups/",
        None,
        [200, 200, 200, 200, 200, 200, 200, 200, 200],
    )
    .await;
    w.row(
        &mut report,
        Method::GET,
        &detail,
        None,
        [200, 200, 200, 200, 200, 200, 200, 200, 200],
    )
    .await;
    w.row(
        &mut report,
        Method::HEAD,
        &detail,
        None,
        [200, 200, 200, 200, 200, 200, 200, 200, 200],
    )
    .await;
    w.row(
        &mut report,
        Method::POST,
        "/api/organization-groups/",
        Some(json!({"name": "New"})),
        [401, 403, 403, 403, 403, 403, 403, 201, 403],
    )
    .await;
    w.row(
        &mut report,
        Method::PUT,
        &detail,
        Some(json!({"name": "G"})),
        [401, 403, 403, 403, 403, 403, 403, 200, 403],
    )
    .await;
    w.row(
        &mut report,
        Method::PATCH,
        &detail,
        Some(json!({"name": "G"})),
        [401, 403, 403, 403, 403, 403, 403, 200, 403],
    )
    .await;

    let mut got = Vec::with_capacity(N);
    for who in 0..N {
        let doomed = group(&w.app, &format!("Doomed {who}")).await;
        let path = format!(
            "/api/organization-groups/{}/",
            doomed["uuid"].as_str().unwrap()
        );
        got.push(w.call(who, Method::DELETE, &path, None).await);
    }
    report.push(
        "DELETE /api/organization-groups/{fresh group}/",
        [401, 403, 403, 403, 403, 403, 403, 204, 403],
        got,
    );

    report.finish();
}
