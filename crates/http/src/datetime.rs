//! Date-time input (spec 01 §6): ISO 8601 with `T` or a space, optional seconds and
//! fraction (up to six digits kept), offset `Z`, `±HH:MM`, `±HHMM` or `±HH`; no offset
//! means UTC.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

/// DRF's message for an unparsable date-time.
pub const DATETIME_FORMAT_ERROR: &str = "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].";

fn digits(s: &str, n: usize) -> Option<u32> {
    (s.len() == n && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

fn parse_offset(s: &str) -> Option<FixedOffset> {
    if s.is_empty() || s.eq_ignore_ascii_case("z") {
        return FixedOffset::east_opt(0);
    }
    let sign = match s.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let rest = &s[1..];
    let (h, m) = match rest.len() {
        2 => (digits(rest, 2)?, 0),
        4 => (digits(&rest[..2], 2)?, digits(&rest[2..], 2)?),
        5 if rest.as_bytes()[2] == b':' => (digits(&rest[..2], 2)?, digits(&rest[3..], 2)?),
        _ => return None,
    };
    if h > 23 || m > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (h as i32 * 3600 + m as i32 * 60))
}

/// Parses a date-time, or `None`.
pub fn parse_datetime(text: &str) -> Option<DateTime<Utc>> {
    // Every accepted form is ASCII; checking first also keeps the byte slicing below on
    // character boundaries (a multi-byte character there would panic the worker).
    if !text.is_ascii() {
        return None;
    }
    let (date, rest) = text.split_at(text.len().min(10));
    let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    let split = rest.find(['Z', 'z', '+', '-']).unwrap_or(rest.len());
    let (time, offset) = rest.split_at(split);
    let offset = parse_offset(offset)?;
    let (hms, fraction) = match time.split_once(['.', ',']) {
        Some((hms, f)) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => (hms, Some(f)),
        Some(_) => return None,
        None => (time, None),
    };
    let parts: Vec<&str> = hms.split(':').collect();
    let (h, m, s) = match parts.as_slice() {
        [h, m] => (digits(h, 2)?, digits(m, 2)?, 0),
        [h, m, s] => (digits(h, 2)?, digits(m, 2)?, digits(s, 2)?),
        _ => return None,
    };
    if fraction.is_some() && parts.len() != 3 {
        return None;
    }
    let micros = match fraction {
        Some(f) => {
            let mut f: String = f.chars().take(6).collect();
            while f.len() < 6 {
                f.push('0');
            }
            f.parse::<u32>().ok()?
        }
        None => 0,
    };
    let time = NaiveTime::from_hms_micro_opt(h, m, s, micros)?;
    let local = NaiveDateTime::new(date, time);
    offset
        .from_local_datetime(&local)
        .single()
        .map(|dt| dt.with_timezone(&Utc))
        // Python's `datetime` (and so the SDK's `isoparse`) only knows years 1 … 9999.
        .filter(|dt| (1..=9999).contains(&dt.year()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_forms() {
        let base = parse_datetime("2026-01-02T03:04:05Z").unwrap();
        assert_eq!(parse_datetime("2026-01-02 03:04:05").unwrap(), base);
        assert_eq!(parse_datetime("2026-01-02T05:04:05+02:00").unwrap(), base);
        assert_eq!(parse_datetime("2026-01-02T05:04:05+0200").unwrap(), base);
        assert_eq!(parse_datetime("2026-01-02T05:04:05+02").unwrap(), base);
        assert_eq!(
            parse_datetime("2026-01-02T03:04Z").unwrap().timestamp(),
            base.timestamp() - 5
        );
        let fraction = parse_datetime("2026-01-02T03:04:05.1234567").unwrap();
        assert_eq!(fraction.timestamp_subsec_micros(), 123_456);
    }

    #[test]
    fn years_python_cannot_parse_are_rejected() {
        assert!(parse_datetime("9999-12-31T23:00-05:00").is_none());
        assert!(parse_datetime("9999-12-31T23:00Z").is_some());
    }

    #[test]
    fn rejected_forms() {
        for bad in [
            "",
            "2026-01-02",
            "2026-13-02T00:00",
            "2026-01-02T3:04",
            "yesterday",
            "2026-01-02T03:04:05+25:00",
            "aéééééé",
            "2026-01-02T03:04+aéb",
        ] {
            assert!(parse_datetime(bad).is_none(), "{bad}");
        }
    }
}
