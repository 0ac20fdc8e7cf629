//! The black-box harness: the real service on `127.0.0.1:0` over a fresh PostgreSQL
//! database per test (cloned from a migrated template), driven with `reqwest`.
#![expect(
    clippy::expect_used,
    reason = "test support: a failed setup is a failed test"
)]

use std::net::SocketAddr;

use reqwest::{Client, Method, Response};
use serde_json::Value;
use tenancy_app::commands::{create_user, CreateUser};
use tenancy_app::config::{DatabaseSetting, LogFormat, Settings};
use tenancy_postgres::testing::TestDatabase;

/// A running service and its database; both go away when it is dropped.
pub struct TestApp {
    /// Where the service listens.
    pub addr: SocketAddr,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// A staff user's token.
    pub admin_token: String,
    /// The service's settings (for creating more users).
    pub settings: Settings,
    client: Client,
    server: actix_web::dev::ServerHandle,
    db: TestDatabase,
}

fn init_test_logging() {
    // Silent unless TEST_LOG=1.
    if std::env::var_os("TEST_LOG").is_some() {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("info"))
            .with_test_writer()
            .try_init();
    }
}

impl TestApp {
    /// Starts the service on a fresh database with one staff user.
    pub async fn spawn() -> TestApp {
        init_test_logging();
        let db = TestDatabase::new().await;
        let settings = Settings {
            bind: "127.0.0.1:0".parse().expect("address"),
            database: DatabaseSetting::Url(db.url().to_owned().into()),
            log_format: LogFormat::Text,
            public_base_url: None,
            trust_forwarded_headers: true,
            trust_forwarded_for: false,
            token_lifetime: Some(3600),
            pool_size: 4,
            workers: 1,
        };
        let state = tenancy_app::server::state(&settings, db.url()).expect("state");
        let bound = tenancy_app::server::bind(&settings, state).expect("bind");
        let server = bound.server.handle();
        tokio::spawn(bound.server);
        let mut app = TestApp {
            addr: bound.addr,
            base: format!("http://{}", bound.addr),
            admin_token: String::new(),
            settings,
            client: Client::new(),
            server,
            db,
        };
        app.admin_token = app.create_user("admin", true, false).await;
        app
    }

    /// The database URL (for direct checks that nothing was written).
    pub fn database_url(&self) -> &str {
        self.db.url()
    }

    /// The database's name (to simulate an outage by dropping it).
    pub fn database_name(&self) -> &str {
        self.db.name()
    }

    /// Creates a user without a password and returns a token for them.
    pub async fn create_user(&self, username: &str, staff: bool, support: bool) -> String {
        create_user(
            &self.settings,
            self.db.url(),
            CreateUser {
                username: username.to_owned(),
                password: None,
                email: String::new(),
                staff,
                support,
                token_lifetime: None,
            },
        )
        .await
        .expect("create user")
    }

    /// Creates a user with a password and returns a token for them.
    pub async fn create_user_with_password(&self, username: &str, password: &str) -> String {
        create_user(
            &self.settings,
            self.db.url(),
            CreateUser {
                username: username.to_owned(),
                password: Some(password.to_owned()),
                email: String::new(),
                staff: false,
                support: false,
                token_lifetime: None,
            },
        )
        .await
        .expect("create user")
    }

    /// The absolute URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends a request; `token` `None` = anonymous; `body` `None` = no body.
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Response {
        let mut request = self.client.request(method, self.url(path));
        if let Some(token) = token {
            request = request.header("Authorization", format!("Token {token}"));
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        request.send().await.expect("request")
    }

    /// `GET` as admin.
    pub async fn get(&self, path: &str) -> Response {
        self.request(Method::GET, path, Some(&self.admin_token), None)
            .await
    }

    /// `POST` JSON as admin.
    pub async fn post(&self, path: &str, body: &Value) -> Response {
        self.request(Method::POST, path, Some(&self.admin_token), Some(body))
            .await
    }

    /// `PATCH` JSON as admin.
    pub async fn patch(&self, path: &str, body: &Value) -> Response {
        self.request(Method::PATCH, path, Some(&self.admin_token), Some(body))
            .await
    }

    /// A raw request builder with the admin token (for unusual bodies and headers).
    pub fn raw(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, self.url(path))
            .header("Authorization", format!("Token {}", self.admin_token))
    }

    /// Creates a customer as admin and returns its representation.
    pub async fn create_customer(&self, body: &Value) -> Value {
        let response = self.post("/api/customers/", body).await;
        assert_eq!(response.status(), 201, "create customer");
        response.json().await.expect("json")
    }

    /// How many customers are stored (bypassing visibility), via the admin's list count.
    pub async fn customer_count(&self) -> u64 {
        let response = self.get("/api/customers/?page_size=1").await;
        response
            .headers()
            .get("x-result-count")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .expect("count header")
    }

    /// Stops the server gracefully.
    pub async fn stop(&self) {
        self.server.stop(true).await;
    }
}

/// The body of a response as JSON.
pub async fn json(response: Response) -> Value {
    response.json().await.expect("json body")
}

/// Runs SQL on the test's database directly (to move clocks or check storage).
pub async fn sql(app: &TestApp, statement: &str) -> Vec<tokio_postgres::Row> {
    let (client, connection) = tokio_postgres::connect(app.database_url(), tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(connection);
    client.query(statement, &[]).await.expect("sql")
}
