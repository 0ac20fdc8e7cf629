//! Web addresses (Django's `URLValidator`, 02 §2.2 `homepage`).

use std::net::Ipv6Addr;
use std::sync::LazyLock;

use regex::{Regex, RegexBuilder};

use crate::error::FieldError;

/// `Enter a valid URL.`
const INVALID_URL: &str = "Enter a valid URL.";

/// Django's `URLValidator.max_length`.
const MAX_URL_CHARS: usize = 2048;

/// RFC 1034 §3.1 limit on a full host name, which Django enforces after the regex.
const MAX_HOST_CHARS: usize = 253;

const SCHEMES: [&str; 4] = ["http", "https", "ftp", "ftps"];

/// Django's URL regex. `regex` has no look-around, so Django's "a label does not start or
/// end with `-`" (`(?!-)…(?<!-)`) is spelled as "first and last character are not `-`",
/// which describes the same strings. `\s` gets U+001C–U+001F added, as in Python.
static URL_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    // Django's `ul`: every BMP character from U+00A1 on counts as a letter in host names.
    let ul = r"\x{a1}-\x{ffff}";
    let octet = r"(?:0|25[0-5]|2[0-4][0-9]|1[0-9]?[0-9]?|[1-9][0-9]?)";
    let ipv4 = format!(r"{octet}(?:\.{octet}){{3}}");
    let ipv6 = r"\[[0-9a-f:.]+\]";
    let label = format!(r"[a-z{ul}0-9](?:[a-z{ul}0-9-]{{0,61}}[a-z{ul}0-9])?");
    let tld = format!(r"\.(?:[a-z{ul}][a-z{ul}-]{{0,61}}[a-z{ul}]|xn--[a-z0-9]{{1,59}})\.?");
    let host = format!(r"(?:{label}(?:\.{label})*{tld}|localhost)");
    // Python's `\s` also covers U+001C–U+001F.
    let not_space = r"[^\s\x1c-\x1f";
    let userinfo = format!(r"(?:{not_space}:@/]+(?::{not_space}:@/]*)?@)?");
    let path = format!(r"(?:[/?#]{not_space}]*)?");
    let pattern =
        format!(r"(?i)^[a-z0-9.+-]*://{userinfo}(?:{ipv4}|{ipv6}|{host})(?::[0-9]{{1,5}})?{path}$");
    RegexBuilder::new(&pattern)
        .size_limit(64 * 1024 * 1024)
        .build()
        .ok()
});

static IPV_FUTURE_RE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^v[a-fA-F0-9]+\..+$").ok());

fn matches(re: &LazyLock<Option<Regex>>, text: &str) -> bool {
    re.as_ref().is_some_and(|re| re.is_match(text))
}

/// A valid `http`, `https`, `ftp` or `ftps` URL, kept exactly as given.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HttpUrl(String);

impl HttpUrl {
    /// Parses a URL by Django's `URLValidator` rules.
    ///
    /// Scheme `http`, `https`, `ftp` or `ftps` (any case); optional `user[:password]@`; a
    /// host that is a domain name (labels of letters — including any non-ASCII letter —,
    /// digits and inner hyphens, then a top-level label of at least two letters or an
    /// `xn--` label, optionally a trailing dot), `localhost`, an IPv4 address or a bracketed
    /// IPv6 address; an optional port of at most five digits; an optional path, query or
    /// fragment without whitespace. At most 2048 characters; the host at most 253.
    ///
    /// ```
    /// use tenancy_domain::validate::url::HttpUrl;
    /// assert!(HttpUrl::parse("https://example.com/about").is_ok());
    /// assert!(HttpUrl::parse("example.com").is_err());
    /// ```
    ///
    /// # Errors
    /// `Enter a valid URL.` when the text is not such a URL.
    pub fn parse(text: &str) -> Result<Self, FieldError> {
        if is_valid_url(text) {
            Ok(Self(text.to_owned()))
        } else {
            Err(FieldError::new(INVALID_URL))
        }
    }

    /// The URL as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for HttpUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The parts of a URL as Python's `urlsplit` sees them, for the checks Django makes on
/// them after its regex.
struct Split<'a> {
    scheme: &'a str,
    netloc: &'a str,
    rest: &'a str,
}

fn split(text: &str) -> Option<Split<'_>> {
    let (scheme, after) = text.split_once("://")?;
    let end = after.find(['/', '?', '#']).unwrap_or(after.len());
    Some(Split {
        scheme,
        netloc: &after[..end],
        rest: &after[end..],
    })
}

fn is_valid_url(text: &str) -> bool {
    if text.chars().count() > MAX_URL_CHARS || text.contains(['\t', '\r', '\n']) {
        return false;
    }
    let Some(parts) = split(text) else {
        return false;
    };
    if !SCHEMES.contains(&parts.scheme.to_ascii_lowercase().as_str()) {
        return false;
    }
    if !brackets_are_valid(parts.netloc) {
        return false;
    }
    if !matches(&URL_RE, text) && !matches_as_idna(&parts) {
        return false;
    }
    hostname(parts.netloc).is_some_and(|host| host.chars().count() <= MAX_HOST_CHARS)
}

/// Python's `urlsplit` (3.11.4+) rejects a netloc with unbalanced brackets or whose
/// bracketed part is neither an IPv6 address nor an `IPvFuture`; Django additionally checks
/// that a bracketed host is a valid IPv6 address.
fn brackets_are_valid(netloc: &str) -> bool {
    let (open, close) = (netloc.contains('['), netloc.contains(']'));
    if open != close {
        return false;
    }
    if !open {
        return true;
    }
    let inside = netloc
        .split_once('[')
        .map(|(_, after)| after.split_once(']').map_or(after, |(inner, _)| inner))
        .unwrap_or_default();
    if inside.starts_with('v') {
        matches(&IPV_FUTURE_RE, inside)
    } else {
        inside.parse::<Ipv6Addr>().is_ok()
    }
}

/// Django's retry for internationalised domain names: the host is converted to punycode and
/// the whole URL is checked again.
fn matches_as_idna(parts: &Split<'_>) -> bool {
    let (userinfo, hostport) = match parts.netloc.rsplit_once('@') {
        Some((user, hostport)) => (Some(user), hostport),
        None => (None, parts.netloc),
    };
    let (host, port) = match hostport.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (hostport, None),
    };
    if host.is_ascii() {
        return false;
    }
    let ascii = ::url::quirks::domain_to_ascii(host);
    if ascii.is_empty() {
        return false;
    }
    let mut rebuilt = format!("{}://", parts.scheme);
    if let Some(user) = userinfo {
        rebuilt.push_str(user);
        rebuilt.push('@');
    }
    rebuilt.push_str(&ascii);
    if let Some(port) = port {
        rebuilt.push(':');
        rebuilt.push_str(port);
    }
    rebuilt.push_str(parts.rest);
    matches(&URL_RE, &rebuilt)
}

/// `urlsplit(url).hostname` before lower-casing: `None` when empty.
fn hostname(netloc: &str) -> Option<&str> {
    let hostinfo = netloc.rsplit_once('@').map_or(netloc, |(_, h)| h);
    let host = match hostinfo.split_once('[') {
        Some((_, bracketed)) => bracketed.split_once(']').map_or(bracketed, |(h, _)| h),
        None => hostinfo.split_once(':').map_or(hostinfo, |(h, _)| h),
    };
    (!host.is_empty()).then_some(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pattern_compiles() {
        assert!(URL_RE.is_some());
        assert!(IPV_FUTURE_RE.is_some());
    }

    #[test]
    fn accepts_django_valid_urls() {
        let long_host = format!("http://{}.com", vec!["a".repeat(63); 3].join("."));
        for ok in [
            "http://www.djangoproject.com/",
            "HTTP://WWW.DJANGOPROJECT.COM/",
            "http://localhost/",
            "http://localhost:8000/",
            "http://example.com:0",
            "http://example.com:65535",
            "http://example.com:99999/x",
            "http://www.example.com:8000/test",
            "http://valid-with-hyphens.com/",
            "http://subdomain.example.com/",
            "http://a.aa",
            "http://200.8.9.10/",
            "http://200.8.9.10:8000/test",
            "http://0.0.0.0/",
            "http://255.255.255.255",
            "http://valid-----hyphens.com/",
            "http://example.com?something=value",
            "http://example.com/index.php?something=value&another=value2",
            "https://example.com/",
            "ftp://example.com/",
            "ftps://example.com/",
            "http://foo.com/blah_blah_(wikipedia)",
            "http://userid:password@example.com:8080/",
            "http://userid@example.com",
            "http://userid:@example.com",
            "http://142.42.1.1:8080/",
            "http://➡.ws/䨹",
            "http://⌘.ws/",
            "http://☺.damowmow.com/",
            "http://مثال.إختبار",
            "http://例子.测试",
            "http://उदाहरण.परीक्षा",
            "http://[2001:db8::1]/",
            "http://[::ffff:192.0.2.1]:8080/x",
            "http://[::1]",
            "http://xn--7sbb4ac0ad0be6cf.xn--p1ai",
            "http://www.example.com./",
            "http://dashintld.c-m",
            "http://1337.net",
            "http://a.b-c.de",
            "http://例え。テスト",
            "http://example.com/#frag",
            "http://example.com/%E2%9C%93",
            long_host.as_str(),
        ] {
            assert!(is_valid_url(ok), "{ok}");
        }
    }

    #[test]
    fn rejects_django_invalid_urls() {
        let too_long_host = format!("http://{}.com", vec!["a".repeat(63); 4].join("."));
        let too_long_url = format!("http://example.com/{}", "a".repeat(2048));
        for bad in [
            "foo",
            "http://",
            "http://example",
            "http://example.",
            "http://.com",
            "http://invalid-.com",
            "http://-invalid.com",
            "http://invalid.com-",
            "http://invalid.c-",
            "http://invalid.-c",
            "http://inv-.alid-.com",
            "http://inv-.-alid.com",
            "file://localhost/path",
            "git://example.com/",
            "mailto:user@example.com",
            "http://.",
            "http://..",
            "http://../",
            "http://?",
            "http://#",
            "http://foo.bar?q=Spaces should be encoded",
            "http://foo.bar/foo(bar)baz quux",
            "http://-error-.invalid/",
            "http://1.1.1.1.1",
            "http://123.123.123",
            "http://3628126748",
            "http://256.0.0.1",
            "http://01.2.3.4",
            "http://[::1:2::3]:8080/",
            "http://[2001:db8::12345]/",
            "http://[1:2:3:4:5:6:7:8:9]",
            "http://[a",
            "http://[a]@example.com",
            "http://user@host@example.com",
            "http://example.com:123456",
            "http://example.com\n",
            "http://exa\tmple.com",
            "http://example.com/\u{1c}",
            "http://a.b",
            "http://.www.foo.bar/",
            "http://.www.foo.bar./",
            "http://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com",
            "://example.com",
            "http:/example.com",
            too_long_host.as_str(),
            too_long_url.as_str(),
        ] {
            assert!(!is_valid_url(bad), "{bad}");
        }
    }

    #[test]
    fn parse_reports_the_waldur_message() {
        assert_eq!(
            HttpUrl::parse("example.com").unwrap_err().message(),
            "Enter a valid URL."
        );
        assert_eq!(
            HttpUrl::parse("https://example.com").unwrap().as_str(),
            "https://example.com"
        );
    }
}
