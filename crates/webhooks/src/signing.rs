//! Standard Webhooks signatures: `whsec_` secrets and `v1,` + base64 HMAC-SHA256 over
//! `{webhook-id}.{webhook-timestamp}.{body}`.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use rand::RngCore;
use sha2_011::Sha256;

/// The prefix of a consumer's signing secret.
pub const SECRET_PREFIX: &str = "whsec_";

/// A consumer's signing key. Its `Debug` never shows it.
#[derive(Clone)]
pub struct SigningKey(Vec<u8>);

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningKey(<redacted>)")
    }
}

impl SigningKey {
    /// Parses `whsec_` + base64 of the key bytes.
    pub fn parse(secret: &str) -> Result<Self, String> {
        let b64 = secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret);
        let key = STANDARD
            .decode(b64)
            .map_err(|_| "the webhook secret is not base64 after `whsec_`".to_string())?;
        if key.is_empty() {
            return Err("the webhook secret is empty".into());
        }
        Ok(Self(key))
    }

    /// The `webhook-signature` header value for a message.
    pub fn sign(&self, webhook_id: &str, timestamp: i64, body: &[u8]) -> String {
        // HMAC accepts keys of any length, so this cannot fail.
        let mut mac = match Hmac::<Sha256>::new_from_slice(&self.0) {
            Ok(m) => m,
            Err(_) => return String::new(),
        };
        mac.update(webhook_id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
    }
}

/// A fresh secret: `whsec_` + base64 of 24 random bytes (the form Codat's examples show).
pub fn generate_secret() -> String {
    let mut key = [0u8; 24];
    rand::rng().fill_bytes(&mut key);
    format!("{SECRET_PREFIX}{}", STANDARD.encode(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_verifies_with_the_reference_crate() {
        let secret = generate_secret();
        assert!(
            secret.starts_with("whsec_") && secret.len() == 6 + 32,
            "{secret}"
        );
        let key = SigningKey::parse(&secret).expect("parses");
        let ts = chrono::Utc::now().timestamp();
        let body = br#"{"id":"x","eventType":"company.created"}"#;
        let sig = key.sign("msg_1", ts, body);
        let mut headers = http::HeaderMap::new();
        headers.insert("webhook-id", "msg_1".parse().expect("header"));
        headers.insert("webhook-timestamp", ts.to_string().parse().expect("header"));
        headers.insert("webhook-signature", sig.parse().expect("header"));
        let reference = standardwebhooks::Webhook::new(&secret).expect("secret");
        reference.verify(body, &headers).expect("verifies");
        // A changed body does not.
        assert!(reference.verify(b"{}", &headers).is_err());
        assert!(!format!("{key:?}").contains(&secret[6..]));
    }

    #[test]
    fn known_vector() {
        // The Standard Webhooks specification's example.
        let key = SigningKey::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").expect("parses");
        let sig = key.sign(
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            br#"{"test": 2432232314}"#,
        );
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }
}
