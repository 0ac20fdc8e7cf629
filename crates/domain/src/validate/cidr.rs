//! Lists of IP networks (02 §2.2 `access_subnets`).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::IpNet;

use crate::error::FieldError;

/// The `access_subnets` field: comma-separated IPv4/IPv6 networks in CIDR notation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessSubnets {
    text: String,
    networks: Vec<IpNet>,
}

impl AccessSubnets {
    /// Parses a comma-separated list of networks. Unlike the other constructors this one
    /// accepts blank text: empty or whitespace-only text is a valid empty list.
    ///
    /// Each item, trimmed, must be `a.b.c.d/n` (a full dotted quad, `n` 0–32) or an IPv6
    /// address followed by `/n` (`n` 0–128). Host bits may be set (`10.0.0.1/8`). Invalid:
    /// a bare address without `/n`, an empty item (`10.0.0.0/8,`), abbreviated IPv4 forms
    /// (`10/8`), netmask forms (`10.0.0.0/255.0.0.0`), zone ids, and a prefix length with
    /// a sign or leading zeros (`/08`).
    ///
    /// ```
    /// use tenancy_domain::validate::cidr::AccessSubnets;
    /// let subnets = AccessSubnets::parse("10.0.0.1/8, 2001:db8::/32").unwrap();
    /// assert_eq!(subnets.networks().len(), 2);
    /// assert_eq!(
    ///     AccessSubnets::parse("10/8,10.0.0.1").unwrap_err().message(),
    ///     "The following items are invalid: 10/8, 10.0.0.1"
    /// );
    /// ```
    ///
    /// # Errors
    /// `The following items are invalid: <item>, <item>` naming every offending item,
    /// trimmed, in input order.
    pub fn parse(text: &str) -> Result<Self, FieldError> {
        if text.trim().is_empty() {
            return Ok(Self {
                text: text.to_owned(),
                networks: Vec::new(),
            });
        }
        let mut networks = Vec::new();
        let mut invalid = Vec::new();
        for item in text.split(',').map(str::trim) {
            match parse_cidr(item) {
                Some(net) => networks.push(net),
                None => invalid.push(item),
            }
        }
        if invalid.is_empty() {
            Ok(Self {
                text: text.to_owned(),
                networks,
            })
        } else {
            Err(FieldError::new(format!(
                "The following items are invalid: {}",
                invalid.join(", ")
            )))
        }
    }

    /// The text as given (what is stored).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The networks, in the order given, with host bits as given.
    pub fn networks(&self) -> &[IpNet] {
        &self.networks
    }

    /// True when the list has no networks.
    pub fn is_empty(&self) -> bool {
        self.networks.is_empty()
    }

    /// True when some network of the list contains `address`.
    pub fn contains(&self, address: IpAddr) -> bool {
        self.networks.iter().any(|net| net.contains(&address))
    }
}

/// One `address/prefix` item; `None` when it is not one.
fn parse_cidr(item: &str) -> Option<IpNet> {
    let (address, prefix) = item.split_once('/')?;
    let prefix = parse_prefix(prefix)?;
    // `std`'s parsers take only the full dotted quad, without leading zeros, and IPv6
    // without a zone id, which is exactly the accepted set.
    if let Ok(v4) = address.parse::<Ipv4Addr>() {
        return IpNet::new(IpAddr::V4(v4), prefix).ok();
    }
    let v6 = address.parse::<Ipv6Addr>().ok()?;
    IpNet::new(IpAddr::V6(v6), prefix).ok()
}

fn parse_prefix(text: &str) -> Option<u8> {
    let canonical = !text.is_empty()
        && text.len() <= 3
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    if canonical {
        text.parse().ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(text: &str) -> String {
        AccessSubnets::parse(text).unwrap_err().message().to_owned()
    }

    #[test]
    fn blank_is_an_empty_list() {
        for blank in ["", "   ", "\t\n"] {
            let list = AccessSubnets::parse(blank).unwrap();
            assert!(list.is_empty());
            assert_eq!(list.as_str(), blank);
        }
    }

    #[test]
    fn accepts_networks_with_host_bits() {
        let list = AccessSubnets::parse(concat!(
            "10.0.0.1/8, 192.168.0.0/24 ,0.0.0.0/1,255.255.255.255/32,",
            " ::/0, 2001:db8::1/128, ::ffff:10.0.0.1/96"
        ))
        .unwrap();
        assert_eq!(list.networks().len(), 7);
        assert_eq!(list.networks()[0].to_string(), "10.0.0.1/8");
        assert!(list.contains("10.200.3.4".parse().unwrap()));
        assert!(!list.contains("172.16.0.1".parse().unwrap()));
        assert!(list.contains("127.0.0.1".parse().unwrap()));
    }

    #[test]
    fn rejects_malformed_items() {
        for bad in [
            "10.0.0.1",
            "10/8",
            "10.0/16",
            "10.0.0/24",
            "10.0.0.0/33",
            "2001:db8::/129",
            "10.0.0.0/",
            "/8",
            "10.0.0.0/08",
            "10.0.0.0/+8",
            "10.0.0.0/255.0.0.0",
            "10.0.0.256/8",
            "010.0.0.0/8",
            "fe80::1%eth0/64",
            "10.0.0.0 /8",
            "2001:db8::",
            "garbage",
        ] {
            assert_eq!(
                message(bad),
                format!("The following items are invalid: {bad}"),
                "{bad}"
            );
        }
    }

    #[test]
    fn lists_every_offending_item_trimmed() {
        assert_eq!(
            message(" 10/8 , 10.0.0.0/8, foo ,1.2.3.4"),
            "The following items are invalid: 10/8, foo, 1.2.3.4"
        );
    }

    #[test]
    fn an_empty_item_is_invalid() {
        assert_eq!(message("10.0.0.0/8,"), "The following items are invalid: ");
        assert_eq!(
            message("10.0.0.0/8, ,x"),
            "The following items are invalid: , x"
        );
    }
}
