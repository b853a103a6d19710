//! Secrets at rest: XChaCha20-Poly1305 with a random nonce per value and the owning row's
//! identity as associated data, so a ciphertext copied onto another row does not decrypt.

use std::fmt;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::{Result, StoreError};

const NONCE_LEN: usize = 24;

/// An encrypted value and the id of the key that sealed it.
#[derive(Clone, PartialEq, Eq)]
pub struct Sealed {
    /// Nonce followed by the AEAD ciphertext.
    pub ciphertext: Vec<u8>,
    /// Which key sealed it (for rotation).
    pub key_id: String,
}

impl fmt::Debug for Sealed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sealed")
            .field("key_id", &self.key_id)
            .field("len", &self.ciphertext.len())
            .finish()
    }
}

/// The data-encryption key. Its `Debug` never shows the key.
#[derive(Clone)]
pub struct SecretBox {
    cipher: XChaCha20Poly1305,
    key_id: String,
}

impl fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretBox")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

impl SecretBox {
    /// Builds from 32 key bytes.
    pub fn new(key: &[u8; 32]) -> Self {
        let key_id = hex::encode(&Sha256::digest(key)[..4]);
        Self {
            cipher: XChaCha20Poly1305::new(key.into()),
            key_id,
        }
    }

    /// A fresh random key.
    pub fn generate_key() -> [u8; 32] {
        let mut key = [0u8; 32];
        rand::rng().fill_bytes(&mut key);
        key
    }

    /// The id stored beside each ciphertext.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// Encrypts `plaintext`, bound to `context` (e.g. `connection:{id}`).
    pub fn seal(&self, context: &str, plaintext: &[u8]) -> Result<Sealed> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let ct = self
            .cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| StoreError::Crypto("encryption failed".into()))?;
        let mut ciphertext = nonce.to_vec();
        ciphertext.extend_from_slice(&ct);
        Ok(Sealed {
            ciphertext,
            key_id: self.key_id.clone(),
        })
    }

    /// Decrypts a value sealed for the same `context` with this key.
    pub fn open(&self, context: &str, sealed: &Sealed) -> Result<Vec<u8>> {
        if sealed.key_id != self.key_id {
            return Err(StoreError::Crypto(format!(
                "sealed with key {} but key {} is loaded",
                sealed.key_id, self.key_id
            )));
        }
        if sealed.ciphertext.len() < NONCE_LEN {
            return Err(StoreError::Crypto("ciphertext too short".into()));
        }
        let (nonce, ct) = sealed.ciphertext.split_at(NONCE_LEN);
        self.cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ct,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| {
                StoreError::Crypto("decryption failed: wrong key, context or tampered data".into())
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_context_binding() {
        let b = SecretBox::new(&SecretBox::generate_key());
        let s = b.seal("connection:a", b"token").expect("seals");
        assert_eq!(b.open("connection:a", &s).expect("opens"), b"token");
        assert!(b.open("connection:b", &s).is_err());
        assert!(!format!("{b:?}{s:?}").contains("token"));
    }
}
