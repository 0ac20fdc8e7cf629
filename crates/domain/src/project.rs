//! The project: its stored state, the one definition of "active project", the changes a
//! request may make and their validation, slug generation and grace periods (spec 06 §4).
//!
//! Like the customer, a request body becomes a [`ProjectChanges`] in the wire layer;
//! [`ProjectChanges::validate`] applies the field rules against the date of the request
//! (passed in: nothing here reads the clock) and [`ProjectChanges::apply_to`] produces the
//! new state.

use std::collections::HashSet;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use uuid::Uuid;

use crate::error::{FieldError, ValidationErrors};
use crate::validate::slug::{next_slug_number, slug_base, slugify, Slug, MAX_SLUG_CHARS};
use crate::validate::template::{ProjectSlugTemplate, TemplateVars};

/// Longest project name, after trimming.
pub const NAME_MAX: usize = 500;
/// Longest description.
pub const DESCRIPTION_MAX: usize = 2000;
/// Longest backend id.
pub const BACKEND_ID_MAX: usize = 255;
/// Longest staff notes.
pub const STAFF_NOTES_MAX: usize = 2000;
/// Largest `grace_period_days` (the integer range of the SDK).
pub const GRACE_PERIOD_MAX: i64 = 2_147_483_647;
/// The base of generated slugs when the name slugifies to nothing (spec 06 §4.5).
pub const SLUG_FALLBACK: &str = "project";

/// The value of the stored `is_removed` flag that makes a project **active**.
///
/// Spec 06 §4.1: an active project is one with `is_removed = false`, whatever its dates or
/// resources. This is the single definition used by customer deletion (02 §6.5, see
/// [`crate::customer::check_delete`]), `projects_count`, visibility and team lists; SQL in
/// the adapter spells it from this constant.
pub const ACTIVE_IS_REMOVED: bool = false;

/// Whether a project with this `is_removed` flag is active (spec 06 §4.1).
pub fn is_active_project(is_removed: bool) -> bool {
    is_removed == ACTIVE_IS_REMOVED
}

/// `ProjectKindEnum`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProjectKind {
    /// `default`
    #[default]
    Default,
    /// `course`
    Course,
    /// `public`
    Public,
}

impl ProjectKind {
    /// The wire name.
    pub fn name(self) -> &'static str {
        match self {
            ProjectKind::Default => "default",
            ProjectKind::Course => "course",
            ProjectKind::Public => "public",
        }
    }

    /// The kind named `name` (exact, as DRF's `ChoiceField`).
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "default" => Some(ProjectKind::Default),
            "course" => Some(ProjectKind::Course),
            "public" => Some(ProjectKind::Public),
            _ => None,
        }
    }
}

/// The stored, editable state of a project (spec 06 §4.8).
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectFields {
    /// 1–500 characters.
    pub name: String,
    /// Unique within the customer; generated when empty (§4.5).
    pub slug: String,
    /// Free text, ≤ 2000.
    pub description: String,
    /// ≤ 255.
    pub backend_id: String,
    /// Start date.
    pub start_date: Option<NaiveDate>,
    /// End date.
    pub end_date: Option<NaiveDate>,
    /// Internal id of the user who last set `end_date`.
    pub end_date_requested_by: Option<i64>,
    /// When `end_date` last changed.
    pub end_date_updated_at: Option<DateTime<Utc>>,
    /// Kind.
    pub kind: ProjectKind,
    /// Staff-only, ≤ 2000.
    pub staff_notes: String,
    /// Staff-only, ≥ 0.
    pub grace_period_days: Option<i64>,
}

impl ProjectFields {
    /// The defaults for a new project named `name`.
    pub fn new(name: String) -> Self {
        Self {
            name,
            slug: String::new(),
            description: String::new(),
            backend_id: String::new(),
            start_date: None,
            end_date: None,
            end_date_requested_by: None,
            end_date_updated_at: None,
            kind: ProjectKind::Default,
            staff_notes: String::new(),
            grace_period_days: None,
        }
    }
}

/// A stored project.
#[derive(Debug, Clone, PartialEq)]
pub struct Project {
    /// Internal id.
    pub id: i64,
    /// Public identifier.
    pub uuid: Uuid,
    /// Internal id of the customer.
    pub customer_id: i64,
    /// Creation time.
    pub created: DateTime<Utc>,
    /// Last change.
    pub modified: DateTime<Utc>,
    /// Soft-deletion flag (§4.6).
    pub is_removed: bool,
    /// Stored fields.
    pub fields: ProjectFields,
}

impl Project {
    /// Whether the project is active (spec 06 §4.1).
    pub fn is_active(&self) -> bool {
        is_active_project(self.is_removed)
    }
}

/// `end_date` plus the project's grace days, else the customer's, else 0; `None` without an
/// end date (spec 06 §4.9 `effective_end_date`).
pub fn effective_end_date(
    end_date: Option<NaiveDate>,
    project_grace_days: Option<i64>,
    customer_grace_days: Option<i64>,
) -> Option<NaiveDate> {
    let end = end_date?;
    let days = project_grace_days.or(customer_grace_days).unwrap_or(0);
    Some(
        Duration::try_days(days)
            .and_then(|d| end.checked_add_signed(d))
            .unwrap_or(NaiveDate::MAX),
    )
}

/// True when `today` is after `end_date` and not after `effective_end_date` (§4.9).
pub fn is_in_grace_period(
    today: NaiveDate,
    end_date: Option<NaiveDate>,
    effective_end_date: Option<NaiveDate>,
) -> bool {
    match (end_date, effective_end_date) {
        (Some(end), Some(effective)) => today > end && today <= effective,
        _ => false,
    }
}

/// Requested changes to a project. `None` = key absent; `Some(None)` on a nullable field =
/// set it to `null`. Strings arrive trimmed.
#[derive(Debug, Clone, Default, PartialEq)]
#[expect(
    missing_docs,
    reason = "each field is the project field of the same name"
)]
pub struct ProjectChanges {
    pub name: Option<String>,
    pub slug: Option<String>,
    pub description: Option<String>,
    pub backend_id: Option<String>,
    pub start_date: Option<Option<NaiveDate>>,
    pub end_date: Option<Option<NaiveDate>>,
    /// The kind as sent (validated by [`ProjectChanges::validate`]).
    pub kind: Option<String>,
    pub staff_notes: Option<String>,
    pub grace_period_days: Option<Option<i64>>,
}

/// The keys of a project request body, in the order of the representation (§4.9), which
/// is the order field errors are reported in.
pub const REQUEST_FIELDS: &[&str] = &[
    "name",
    "slug",
    "customer",
    "description",
    "backend_id",
    "start_date",
    "end_date",
    "kind",
    "staff_notes",
    "grace_period_days",
];

/// The keys only staff may write (spec 06 §4.3, §4.4).
pub const STAFF_ONLY_FIELDS: &[&str] = &["slug", "staff_notes", "grace_period_days"];

const EARLIER_THAN_TODAY: &str = "Cannot be earlier than the current date.";

fn max_len(errors: &mut ValidationErrors, field: &str, value: &Option<String>, max: usize) {
    if let Some(v) = value {
        if v.chars().count() > max {
            errors.add(field, FieldError::too_long(max));
        }
    }
}

fn not_before(
    errors: &mut ValidationErrors,
    field: &str,
    value: Option<Option<NaiveDate>>,
    today: NaiveDate,
) {
    if let Some(Some(date)) = value {
        if date < today {
            errors.add(field, FieldError::new(EARLIER_THAN_TODAY));
        }
    }
}

impl ProjectChanges {
    /// Drops every staff-only key: for other callers they are read-only and ignored.
    pub fn without_staff_only_fields(mut self) -> Self {
        self.slug = None;
        self.staff_notes = None;
        self.grace_period_days = None;
        self
    }

    /// Drops a `start_date` change once the stored start date is before `today` (spec 06
    /// §4.4: "Cannot be edited after the start date has arrived"; read-only, so ignored).
    pub fn without_locked_start_date(mut self, stored: &ProjectFields, today: NaiveDate) -> Self {
        if stored.start_date.is_some_and(|d| d < today) {
            self.start_date = None;
        }
        self
    }

    /// Whether the changes set `end_date` to a non-null value different from `stored`
    /// (`None` on create) — what needs `PROJECT.DELETE` on the customer (spec 06 §4.3,
    /// §4.4; clearing it needs only update rights, and re-sending the stored value is not a
    /// change, inferred).
    pub fn sets_end_date(&self, stored: Option<&ProjectFields>) -> bool {
        match self.end_date {
            Some(Some(date)) => stored.is_none_or(|s| s.end_date != Some(date)),
            _ => false,
        }
    }

    /// Applies the field rules of spec 06 §4.3 to every present key and reports all
    /// failures at once. `name_required` is true for `POST` and `PUT`; dates may not be
    /// before `today` (UTC).
    ///
    /// # Errors
    /// Every failing field, in the order of [`REQUEST_FIELDS`].
    pub fn validate(&self, name_required: bool, today: NaiveDate) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        match &self.name {
            None if name_required => e.add("name", FieldError::required()),
            Some(n) if n.is_empty() => e.add("name", FieldError::blank()),
            _ => max_len(&mut e, "name", &self.name, NAME_MAX),
        }
        if let Some(slug) = &self.slug {
            if !slug.is_empty() {
                if let Err(err) = Slug::parse(slug) {
                    e.add("slug", err);
                }
            }
        }
        max_len(&mut e, "description", &self.description, DESCRIPTION_MAX);
        max_len(&mut e, "backend_id", &self.backend_id, BACKEND_ID_MAX);
        not_before(&mut e, "start_date", self.start_date, today);
        not_before(&mut e, "end_date", self.end_date, today);
        if let Some(kind) = &self.kind {
            if ProjectKind::from_name(kind).is_none() {
                e.add("kind", FieldError::invalid_choice(kind));
            }
        }
        max_len(&mut e, "staff_notes", &self.staff_notes, STAFF_NOTES_MAX);
        if let Some(Some(days)) = self.grace_period_days {
            if days < 0 {
                e.add("grace_period_days", FieldError::min_value(0));
            } else if days > GRACE_PERIOD_MAX {
                e.add("grace_period_days", FieldError::max_value(GRACE_PERIOD_MAX));
            }
        }
        e.into_result(())
    }

    /// Writes every present key into `fields`. Call after [`Self::validate`] succeeded.
    /// A changed `end_date` records `actor_id` and `now` (spec 06 §4.4). A `slug` of `""`
    /// stays empty: the adapter generates one on create (§4.5); on update an empty slug
    /// keeps the stored one (slugs never change on rename).
    pub fn apply_to(self, f: &mut ProjectFields, actor_id: i64, now: DateTime<Utc>) {
        fn set<T>(target: &mut T, value: Option<T>) {
            if let Some(v) = value {
                *target = v;
            }
        }
        set(&mut f.name, self.name);
        if let Some(slug) = self.slug.filter(|s| !s.is_empty()) {
            f.slug = slug;
        }
        set(&mut f.description, self.description);
        set(&mut f.backend_id, self.backend_id);
        set(&mut f.start_date, self.start_date);
        if let Some(end) = self.end_date {
            if end != f.end_date {
                f.end_date = end;
                f.end_date_requested_by = Some(actor_id);
                f.end_date_updated_at = Some(now);
            }
        }
        if let Some(kind) = self.kind.as_deref().and_then(ProjectKind::from_name) {
            f.kind = kind;
        }
        set(&mut f.staff_notes, self.staff_notes);
        set(&mut f.grace_period_days, self.grace_period_days);
    }
}

/// The slug a template gives (spec 06 §4.5), or `None` when there is no template, it does
/// not parse or renders to nothing — the caller then falls back to
/// [`default_project_slug`]. `customer_projects` counts the customer's projects,
/// soft-deleted ones included.
pub fn templated_project_slug(
    template: Option<&str>,
    customer_slug: &str,
    project_name: &str,
    now: DateTime<Utc>,
    customer_projects: u64,
) -> Option<String> {
    let template = ProjectSlugTemplate::parse(template.filter(|t| !t.is_empty())?).ok()?;
    let rendered = template.render(&TemplateVars {
        customer_slug: customer_slug.to_owned(),
        project_name: slugify(project_name),
        year: now.year(),
        month: now.month(),
        counter: customer_projects.saturating_add(1),
    });
    (!rendered.is_empty()).then_some(rendered)
}

/// The base of a default project slug: 02 §5.1 steps 1–2 with the fallback `project`.
pub fn default_slug_base(project_name: &str) -> String {
    slug_base(project_name, SLUG_FALLBACK)
}

/// The default rule (02 §5.1 with the project name): base + `-` + 1 + the largest number
/// among `existing` slugs (of all projects) that start with the base.
///
/// ```
/// use tenancy_domain::project::default_project_slug;
/// assert_eq!(default_project_slug("My Test Project", ["my-test--4"]), "my-test--5");
/// assert_eq!(default_project_slug("Проект", []), "project-1");
/// ```
pub fn default_project_slug<'a>(
    project_name: &str,
    existing: impl IntoIterator<Item = &'a str>,
) -> String {
    let base = default_slug_base(project_name);
    let number = next_slug_number(&base, existing);
    format!("{base}-{number}")
}

/// `candidate` if free, else `candidate-2`, `candidate-3`, … (spec 06 §4.5, inferred), each
/// kept within 50 characters by shortening the candidate.
pub fn first_free_slug(candidate: &str, taken: &HashSet<String>) -> String {
    if !taken.contains(candidate) {
        return candidate.to_owned();
    }
    let mut n: u64 = 2;
    loop {
        let suffix = format!("-{n}");
        let keep = MAX_SLUG_CHARS.saturating_sub(suffix.len());
        let head: String = candidate.chars().take(keep).collect();
        let slug = format!("{head}{suffix}");
        if !taken.contains(&slug) {
            return slug;
        }
        n += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn april() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-04-15T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn active_means_not_removed() {
        assert!(is_active_project(false));
        assert!(!is_active_project(true));
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let changes = ProjectChanges {
            name: Some(String::new()),
            description: Some("d".repeat(2001)),
            backend_id: Some("b".repeat(256)),
            start_date: Some(Some(day("2026-04-14"))),
            end_date: Some(Some(day("2026-01-01"))),
            kind: Some("private".into()),
            slug: Some("a b".into()),
            grace_period_days: Some(Some(-1)),
            staff_notes: Some("n".repeat(2001)),
        };
        let errors = changes.validate(true, day("2026-04-15")).unwrap_err();
        let fields: Vec<&str> = errors.entries().iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(
            fields,
            [
                "name",
                "slug",
                "description",
                "backend_id",
                "start_date",
                "end_date",
                "kind",
                "staff_notes",
                "grace_period_days"
            ]
        );
    }

    #[test]
    fn name_required_on_create_and_today_is_allowed() {
        assert!(ProjectChanges::default()
            .validate(true, day("2026-04-15"))
            .unwrap_err()
            .has("name"));
        let ok = ProjectChanges {
            name: Some("P".into()),
            start_date: Some(Some(day("2026-04-15"))),
            end_date: Some(None),
            kind: Some("course".into()),
            ..Default::default()
        };
        assert!(ok.validate(true, day("2026-04-15")).is_ok());
        assert!(ProjectChanges::default()
            .validate(false, day("2026-04-15"))
            .is_ok());
    }

    #[test]
    fn end_date_changes_record_who_and_when_and_need_permission() {
        let mut fields = ProjectFields::new("P".into());
        let set = ProjectChanges {
            end_date: Some(Some(day("2026-05-01"))),
            ..Default::default()
        };
        assert!(set.sets_end_date(None));
        assert!(set.sets_end_date(Some(&fields)));
        set.clone().apply_to(&mut fields, 7, april());
        assert_eq!(fields.end_date, Some(day("2026-05-01")));
        assert_eq!(fields.end_date_requested_by, Some(7));
        assert_eq!(fields.end_date_updated_at, Some(april()));
        assert!(!set.sets_end_date(Some(&fields)), "same value is no change");
        let clear = ProjectChanges {
            end_date: Some(None),
            ..Default::default()
        };
        assert!(!clear.sets_end_date(Some(&fields)));
        clear.apply_to(&mut fields, 8, april());
        assert_eq!(fields.end_date, None);
        assert_eq!(fields.end_date_requested_by, Some(8));
    }

    #[test]
    fn staff_only_fields_and_locked_start_date_are_dropped() {
        let changes = ProjectChanges {
            slug: Some("s".into()),
            staff_notes: Some("n".into()),
            grace_period_days: Some(Some(3)),
            start_date: Some(Some(day("2026-06-01"))),
            name: Some("N".into()),
            ..Default::default()
        };
        let dropped = changes.clone().without_staff_only_fields();
        assert_eq!(dropped.slug, None);
        assert_eq!(dropped.staff_notes, None);
        assert_eq!(dropped.grace_period_days, None);
        assert_eq!(dropped.name.as_deref(), Some("N"));
        let mut stored = ProjectFields::new("P".into());
        stored.start_date = Some(day("2026-04-01"));
        let locked = changes
            .clone()
            .without_locked_start_date(&stored, day("2026-04-15"));
        assert_eq!(locked.start_date, None);
        stored.start_date = Some(day("2026-04-20"));
        let open = changes.without_locked_start_date(&stored, day("2026-04-15"));
        assert!(open.start_date.is_some());
    }

    #[test]
    fn apply_keeps_the_slug_when_emptied_and_sets_kind() {
        let mut fields = ProjectFields::new("P".into());
        fields.slug = "p-1".into();
        ProjectChanges {
            slug: Some(String::new()),
            kind: Some("public".into()),
            ..Default::default()
        }
        .apply_to(&mut fields, 1, april());
        assert_eq!(fields.slug, "p-1");
        assert_eq!(fields.kind, ProjectKind::Public);
    }

    #[test]
    fn grace_period_arithmetic() {
        let end = Some(day("2026-04-10"));
        assert_eq!(effective_end_date(None, Some(3), Some(5)), None);
        assert_eq!(
            effective_end_date(end, Some(3), Some(5)),
            Some(day("2026-04-13"))
        );
        assert_eq!(
            effective_end_date(end, None, Some(5)),
            Some(day("2026-04-15"))
        );
        assert_eq!(effective_end_date(end, None, None), end);
        let effective = effective_end_date(end, Some(3), None);
        assert!(!is_in_grace_period(day("2026-04-10"), end, effective));
        assert!(is_in_grace_period(day("2026-04-11"), end, effective));
        assert!(is_in_grace_period(day("2026-04-13"), end, effective));
        assert!(!is_in_grace_period(day("2026-04-14"), end, effective));
        assert!(!is_in_grace_period(day("2026-04-14"), None, None));
        assert_eq!(
            effective_end_date(end, Some(GRACE_PERIOD_MAX), None),
            Some(NaiveDate::MAX)
        );
    }

    #[test]
    fn template_slugs_follow_waldurs_examples() {
        let t = |template: &str, counted: u64| {
            templated_project_slug(
                Some(template),
                "acme-1",
                "My Test Project",
                april(),
                counted,
            )
        };
        assert_eq!(
            t("{customer_slug}-{counter_padded}", 0).as_deref(),
            Some("acme-1-001")
        );
        assert_eq!(
            t("{customer_slug}-{counter_padded}", 1).as_deref(),
            Some("acme-1-002")
        );
        assert_eq!(
            t("{customer_slug}-{year}{month}-{counter_padded}", 0).as_deref(),
            Some("acme-1-202604-001")
        );
        assert_eq!(
            t("{project_name}-{counter_padded}", 0).as_deref(),
            Some("my-test-project-001")
        );
        assert_eq!(t("{counter}", 41).as_deref(), Some("42"));
        assert_eq!(t("{bad}", 0), None, "an invalid template falls back");
        assert_eq!(t("---", 0), None, "an empty rendering falls back");
        assert_eq!(templated_project_slug(None, "a", "b", april(), 0), None);
        assert_eq!(templated_project_slug(Some(""), "a", "b", april(), 0), None);
    }

    #[test]
    fn default_slugs_and_collisions() {
        assert_eq!(default_project_slug("Alpha Beta", []), "alpha-be-1");
        assert_eq!(
            default_project_slug("Alpha Beta", ["alpha-be-1", "alpha-be-9", "other-3"]),
            "alpha-be-10"
        );
        let taken: HashSet<String> = ["a-001", "a-001-2"].iter().map(|s| s.to_string()).collect();
        assert_eq!(first_free_slug("a-002", &taken), "a-002");
        assert_eq!(first_free_slug("a-001", &taken), "a-001-3");
        let long = "x".repeat(50);
        let taken: HashSet<String> = [long.clone()].into_iter().collect();
        let free = first_free_slug(&long, &taken);
        assert_eq!(free.len(), 50);
        assert!(free.ends_with("-2"));
    }

    #[test]
    fn kinds_round_trip() {
        for kind in [
            ProjectKind::Default,
            ProjectKind::Course,
            ProjectKind::Public,
        ] {
            assert_eq!(ProjectKind::from_name(kind.name()), Some(kind));
        }
        assert_eq!(ProjectKind::from_name("Default"), None);
    }
}
