//! Users, the acting principal, API token keys and password rules.

use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::error::{FieldError, ValidationErrors};
use crate::validate::email::Email;
use crate::validate::username::Username;

/// A stored user (spec 06 §1.1).
#[derive(Debug, Clone, PartialEq)]
#[expect(
    missing_docs,
    reason = "each field is the user field of the same name in spec 06 §1.1"
)]
pub struct User {
    pub id: i64,
    pub uuid: Uuid,
    pub username: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub native_name: String,
    pub job_title: String,
    pub organization: String,
    pub phone_number: String,
    pub description: String,
    pub slug: String,
    pub is_staff: bool,
    pub is_support: bool,
    pub is_active: bool,
    pub notifications_enabled: bool,
    pub preferred_language: String,
    pub token_lifetime: Option<i32>,
    pub date_joined: DateTime<Utc>,
    pub agreement_date: Option<DateTime<Utc>>,
    pub has_usable_password: bool,
}

impl User {
    /// First and last name joined by one space, trimmed.
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
            .trim()
            .to_owned()
    }
}

/// Who is making a request: an authenticated user and the two global flags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    user_id: i64,
    user_uuid: Uuid,
    is_staff: bool,
    is_support: bool,
}

impl Actor {
    /// The principal for `user`.
    pub fn new(user_id: i64, user_uuid: Uuid, is_staff: bool, is_support: bool) -> Self {
        Self {
            user_id,
            user_uuid,
            is_staff,
            is_support,
        }
    }

    /// The user's internal id.
    pub fn user_id(&self) -> i64 {
        self.user_id
    }

    /// The user's public id.
    pub fn user_uuid(&self) -> Uuid {
        self.user_uuid
    }

    /// Global staff flag: every permission check passes.
    pub fn is_staff(&self) -> bool {
        self.is_staff
    }

    /// Global support flag: reads everything, writes nothing by itself.
    pub fn is_support(&self) -> bool {
        self.is_support
    }

    /// Staff and support see every customer, project and user.
    pub fn sees_everything(&self) -> bool {
        self.is_staff || self.is_support
    }
}

/// An API token key: 40 lower-case hex characters. Only its SHA-256 digest is stored.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenKey(String);

impl std::fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenKey(<redacted>)")
    }
}

impl TokenKey {
    /// Builds a key from 20 random bytes (the caller owns the randomness).
    pub fn from_random_bytes(bytes: [u8; 20]) -> Self {
        Self(hex::encode(bytes))
    }

    /// Wraps a key presented by a client (any text; unknown keys simply match nothing).
    pub fn presented(key: &str) -> Self {
        Self(key.to_owned())
    }

    /// The key itself, shown to the client exactly once.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The SHA-256 digest that is stored and looked up.
    pub fn digest(&self) -> [u8; 32] {
        Sha256::digest(self.0.as_bytes()).into()
    }
}

/// A stored token's lifetime state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenUse {
    /// When the token was last used (refreshed at most once per [`TOKEN_REFRESH_INTERVAL`]).
    pub last_used: DateTime<Utc>,
    /// The owner's `token_lifetime` in seconds; `None` = never expires.
    pub lifetime_seconds: Option<i32>,
}

/// The stored "last used" time is refreshed at most this often (spec 01 §2.3).
pub const TOKEN_REFRESH_INTERVAL: Duration = Duration::seconds(60);

impl TokenUse {
    /// When the token expires if not used again; `None` for no lifetime.
    pub fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.lifetime_seconds
            .map(|s| self.last_used + Duration::seconds(i64::from(s)))
    }

    /// Idle expiry at `now`.
    pub fn is_expired_at(&self, now: DateTime<Utc>) -> bool {
        self.expires_at().is_some_and(|at| now >= at)
    }

    /// Whether this use should write a new "last used" time.
    pub fn needs_refresh_at(&self, now: DateTime<Utc>) -> bool {
        now - self.last_used >= TOKEN_REFRESH_INTERVAL
    }
}

/// Minimum token lifetime a user may set.
pub const MIN_TOKEN_LIFETIME: i32 = 60;

/// Password rules of spec 06 §1.7: 8 … 1024 characters, not trimmed.
///
/// # Errors
/// The field message for a blank, short or long password.
pub fn check_password(password: &str) -> Result<(), FieldError> {
    if password.is_empty() {
        return Err(FieldError::blank());
    }
    let length = password.chars().count();
    if length < 8 {
        return Err(FieldError::new(
            "This password is too short. It must contain at least 8 characters.",
        ));
    }
    if length > 1024 {
        return Err(FieldError::too_long(1024));
    }
    Ok(())
}

/// A request to create a user (API `POST /api/users/` or the `create-user` command).
#[derive(Debug, Clone, Default, PartialEq)]
#[expect(missing_docs, reason = "each field is the user field of the same name")]
pub struct NewUser {
    pub username: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub native_name: String,
    pub job_title: String,
    pub organization: String,
    pub phone_number: String,
    pub description: String,
    pub preferred_language: String,
    pub notifications_enabled: bool,
    pub is_staff: bool,
    pub is_support: bool,
    pub is_active: bool,
    pub token_lifetime: Option<i32>,
    pub agree_with_policy: bool,
}

impl NewUser {
    /// A user with the defaults of spec 06 §1.1.
    pub fn named(username: &str, token_lifetime: Option<i32>) -> Self {
        Self {
            username: username.to_owned(),
            notifications_enabled: true,
            is_active: true,
            token_lifetime,
            ..Self::default()
        }
    }

    /// Field rules of spec 06 §1.1; `email_required` for the API, not for the command.
    ///
    /// # Errors
    /// Every failing field at once.
    pub fn validate(&self, email_required: bool) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        if self.username.is_empty() {
            e.add("username", FieldError::blank());
        } else if let Err(err) = Username::parse(&self.username) {
            e.add("username", err);
        }
        if self.email.is_empty() {
            if email_required {
                e.add("email", FieldError::blank());
            }
        } else if self.email.chars().count() > 320 {
            e.add("email", FieldError::too_long(320));
        } else if let Err(err) = Email::parse(&self.email) {
            e.add("email", err);
        }
        for (field, value, max) in [
            ("first_name", &self.first_name, 100),
            ("last_name", &self.last_name, 100),
            ("native_name", &self.native_name, 100),
            ("job_title", &self.job_title, 120),
            ("organization", &self.organization, 255),
            ("phone_number", &self.phone_number, 255),
            ("description", &self.description, 2000),
            ("preferred_language", &self.preferred_language, 10),
        ] {
            if value.chars().count() > max {
                e.add(field, FieldError::too_long(max));
            }
        }
        if !self.phone_number.is_empty()
            && !e.has("phone_number")
            && crate::validate::phone::PhoneNumber::parse(&self.phone_number).is_err()
        {
            e.add(
                "phone_number",
                FieldError::new("Invalid phone number format."),
            );
        }
        e.into_result(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000 + secs, 0).unwrap()
    }

    #[test]
    fn token_expires_after_its_idle_lifetime() {
        let token = TokenUse {
            last_used: at(0),
            lifetime_seconds: Some(3600),
        };
        assert!(!token.is_expired_at(at(3599)));
        assert!(token.is_expired_at(at(3600)));
        let forever = TokenUse {
            last_used: at(0),
            lifetime_seconds: None,
        };
        assert!(!forever.is_expired_at(at(10_000_000)));
    }

    #[test]
    fn last_used_is_refreshed_at_most_once_a_minute() {
        let token = TokenUse {
            last_used: at(0),
            lifetime_seconds: None,
        };
        assert!(!token.needs_refresh_at(at(59)));
        assert!(token.needs_refresh_at(at(60)));
    }

    #[test]
    fn token_digest_is_sha256_of_the_key() {
        let key = TokenKey::from_random_bytes([0xab; 20]);
        assert_eq!(key.expose().len(), 40);
        assert_eq!(key.digest(), TokenKey::presented(key.expose()).digest());
        assert_ne!(key.digest(), TokenKey::presented("other").digest());
        assert_eq!(format!("{key:?}"), "TokenKey(<redacted>)");
    }

    #[test]
    fn password_rules() {
        assert!(check_password("").is_err());
        assert!(check_password("short").is_err());
        assert!(check_password("  spaces  ").is_ok());
        assert!(check_password(&"x".repeat(1025)).is_err());
    }

    #[test]
    fn full_name_is_trimmed() {
        let user = User {
            id: 1,
            uuid: Uuid::nil(),
            username: "a".into(),
            email: String::new(),
            first_name: "Ada".into(),
            last_name: String::new(),
            native_name: String::new(),
            job_title: String::new(),
            organization: String::new(),
            phone_number: String::new(),
            description: String::new(),
            slug: "a-1".into(),
            is_staff: false,
            is_support: false,
            is_active: true,
            notifications_enabled: true,
            preferred_language: String::new(),
            token_lifetime: None,
            date_joined: at(0),
            agreement_date: None,
            has_usable_password: false,
        };
        assert_eq!(user.full_name(), "Ada");
    }
}
