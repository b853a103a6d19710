//! Outbound safety: webhook URLs may not reach loopback, private, link-local or other
//! non-public addresses (unless allowed for local development), whether named by an IP
//! literal or by a host name that resolves to one; redirects are never followed.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Why an address is not public, or `None` when it is.
pub fn non_public_reason(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => v4_reason(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return v4_reason(v4);
            }
            let seg = v6.segments();
            if v6.is_loopback() {
                Some("loopback")
            } else if v6.is_unspecified() {
                Some("unspecified")
            } else if seg[0] & 0xfe00 == 0xfc00 {
                Some("private (unique local)")
            } else if seg[0] & 0xffc0 == 0xfe80 {
                Some("link-local")
            } else if v6.is_multicast() {
                Some("multicast")
            } else if seg[0] == 0x64 && seg[1] == 0xff9b {
                // NAT64 embeds an IPv4 address in the last 32 bits.
                let v4 = Ipv4Addr::from(u32::from(seg[6]) << 16 | u32::from(seg[7]));
                v4_reason(v4)
            } else if seg[0] == 0x2001 && seg[1] == 0xdb8 {
                Some("reserved for documentation")
            } else {
                None
            }
        }
    }
}

fn v4_reason(ip: Ipv4Addr) -> Option<&'static str> {
    let o = ip.octets();
    if ip.is_loopback() {
        Some("loopback")
    } else if ip.is_private() {
        Some("private")
    } else if ip.is_link_local() {
        Some("link-local")
    } else if ip.is_unspecified() || o[0] == 0 {
        Some("unspecified")
    } else if o[0] == 100 && (64..128).contains(&o[1]) {
        Some("shared (carrier-grade NAT)")
    } else if ip.is_broadcast() || ip.is_multicast() || o[0] >= 240 {
        Some("broadcast, multicast or reserved")
    } else if ip.is_documentation() || (o[0] == 198 && (o[1] == 18 || o[1] == 19)) {
        Some("reserved for documentation or benchmarking")
    } else if o[0] == 192 && o[1] == 0 && o[2] == 0 {
        Some("reserved (IETF protocol assignments)")
    } else {
        None
    }
}

/// Checks a consumer URL as given by a client: an absolute `http` or `https` URL with a host,
/// and, unless `allow_private`, not an IP literal or `localhost` that is not public. (Names
/// are checked again when they are resolved, at every delivery.)
pub fn check_url(url: &str, allow_private: bool) -> Result<reqwest::Url, String> {
    let parsed = reqwest::Url::parse(url).map_err(|_| {
        format!("`{url}` is not an absolute URL; give one like https://example.com/webhooks.")
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!(
            "Webhook URLs must use http or https; `{}` was given.",
            parsed.scheme()
        ));
    }
    let Some(host) = parsed.host() else {
        return Err(format!("`{url}` has no host."));
    };
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err("Webhook URLs may not carry a user name or password.".into());
    }
    if allow_private {
        return Ok(parsed);
    }
    let reason = match host {
        url::Host::Ipv4(v4) => non_public_reason(IpAddr::V4(v4)),
        url::Host::Ipv6(v6) => non_public_reason(IpAddr::V6(v6)),
        url::Host::Domain(d) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            (d == "localhost" || d.ends_with(".localhost")).then_some("loopback")
        }
    };
    match reason {
        Some(why) => Err(refusal(why)),
        None => Ok(parsed),
    }
}

/// The message for a refused address.
pub fn refusal(why: &str) -> String {
    format!(
        "Webhook URLs must reach a public address; this one is {why}. \
         For local development, start ledgerbridge with LEDGERBRIDGE_WEBHOOKS_ALLOW_PRIVATE=true."
    )
}

/// The IP address a URL names literally, if it does.
pub fn literal_ip(url: &reqwest::Url) -> Option<IpAddr> {
    match url.host()? {
        url::Host::Ipv4(v4) => Some(IpAddr::V4(v4)),
        url::Host::Ipv6(v6) => Some(IpAddr::V6(v6)),
        url::Host::Domain(_) => None,
    }
}

/// A DNS resolver that refuses names resolving to any non-public address, so a name cannot
/// smuggle a request into the private network (the check and the connection use the same
/// resolved addresses).
#[derive(Clone, Copy, Debug, Default)]
pub struct PublicOnlyResolver;

impl Resolve for PublicOnlyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if let Some(why) = addrs.iter().find_map(|a| non_public_reason(a.ip())) {
                return Err(refusal(why).into());
            }
            if addrs.is_empty() {
                return Err(format!("`{host}` did not resolve to any address").into());
            }
            let addrs: Addrs = Box::new(addrs.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_addresses() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fc00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "64:ff9b::a00:1",
        ] {
            let ip: IpAddr = private.parse().expect("ip");
            assert!(non_public_reason(ip).is_some(), "{private} must be refused");
        }
        for public in ["93.184.216.34", "8.8.8.8", "2606:4700::1111"] {
            let ip: IpAddr = public.parse().expect("ip");
            assert_eq!(non_public_reason(ip), None, "{public} is public");
        }
    }

    #[test]
    fn checks_urls() {
        assert!(check_url("https://example.com/hook", false).is_ok());
        assert!(check_url("http://127.0.0.1:9/hook", false).is_err());
        assert!(check_url("http://[::1]/hook", false).is_err());
        assert!(check_url("http://localhost/hook", false).is_err());
        assert!(check_url("http://10.0.0.1/hook", false).is_err());
        assert!(check_url("http://127.0.0.1:9/hook", true).is_ok());
        assert!(check_url("ftp://example.com/", true).is_err());
        assert!(check_url("/relative", true).is_err());
        assert!(check_url("https://user:pw@example.com/", true).is_err());
    }
}
