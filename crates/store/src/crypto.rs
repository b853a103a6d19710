//! Secrets at rest: XChaCha20-Poly1305 with a random nonce per value and the owning row's
//! identity as associated data, so a ciphertext copied onto another row does not decrypt.

use std::fmt;
use std::sync::{Arc, RwLock};

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

/// Re-reads the keys (current first) when a value sealed by an unknown key id turns up, e.g.
/// after `ledgerbridge keys rotate` rewrote the key file under a running server.
pub type KeyReloader = Arc<dyn Fn() -> Option<Vec<[u8; 32]>> + Send + Sync>;

struct Key {
    id: String,
    cipher: XChaCha20Poly1305,
}

impl Key {
    fn new(bytes: &[u8; 32]) -> Self {
        Self {
            id: hex::encode(&Sha256::digest(bytes)[..4]),
            cipher: XChaCha20Poly1305::new(bytes.into()),
        }
    }
}

/// The data-encryption keys: the current one seals, every one (current and previous, by key
/// id) opens, so values sealed before a rotation stay readable. Clones share the keys, and a
/// reload seen by one is seen by all. Its `Debug` never shows a key.
#[derive(Clone)]
pub struct SecretBox {
    keys: Arc<RwLock<Vec<Key>>>,
    reload: Option<KeyReloader>,
}

impl fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretBox")
            .field("key_ids", &self.key_ids())
            .finish_non_exhaustive()
    }
}

impl SecretBox {
    /// Builds from 32 key bytes.
    pub fn new(key: &[u8; 32]) -> Self {
        Self::with_keys(key, &[])
    }

    /// Builds from the current key and older ones that must still open what they sealed.
    pub fn with_keys(current: &[u8; 32], previous: &[[u8; 32]]) -> Self {
        let keys = std::iter::once(current)
            .chain(previous)
            .map(Key::new)
            .collect();
        Self {
            keys: Arc::new(RwLock::new(keys)),
            reload: None,
        }
    }

    /// Adds a way to re-read the keys when a value sealed by an unknown key id turns up.
    pub fn with_reloader(mut self, reload: KeyReloader) -> Self {
        self.reload = Some(reload);
        self
    }

    /// A fresh random key.
    pub fn generate_key() -> [u8; 32] {
        let mut key = [0u8; 32];
        rand::rng().fill_bytes(&mut key);
        key
    }

    /// The id of the key that seals; stored beside each ciphertext.
    pub fn key_id(&self) -> String {
        self.key_ids().into_iter().next().unwrap_or_default()
    }

    /// The ids of every loaded key, the sealing one first.
    pub fn key_ids(&self) -> Vec<String> {
        match self.keys.read() {
            Ok(keys) => keys.iter().map(|k| k.id.clone()).collect(),
            Err(poisoned) => poisoned.get_ref().iter().map(|k| k.id.clone()).collect(),
        }
    }

    /// Encrypts `plaintext`, bound to `context` (e.g. `connection:{id}`).
    pub fn seal(&self, context: &str, plaintext: &[u8]) -> Result<Sealed> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let keys = self
            .keys
            .read()
            .map_err(|_| StoreError::Crypto("key ring unavailable".into()))?;
        let key = keys
            .first()
            .ok_or_else(|| StoreError::Crypto("no key loaded".into()))?;
        let ct = key
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
            key_id: key.id.clone(),
        })
    }

    /// Decrypts a value sealed for the same `context` by any loaded key (reloading the keys
    /// once when its key id is unknown).
    pub fn open(&self, context: &str, sealed: &Sealed) -> Result<Vec<u8>> {
        if !self.key_ids().contains(&sealed.key_id) {
            self.reload_keys();
        }
        let keys = self
            .keys
            .read()
            .map_err(|_| StoreError::Crypto("key ring unavailable".into()))?;
        let Some(key) = keys.iter().find(|k| k.id == sealed.key_id) else {
            return Err(StoreError::Crypto(format!(
                "sealed with key {} but only keys {} are loaded",
                sealed.key_id,
                keys.iter()
                    .map(|k| k.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        };
        if sealed.ciphertext.len() < NONCE_LEN {
            return Err(StoreError::Crypto("ciphertext too short".into()));
        }
        let (nonce, ct) = sealed.ciphertext.split_at(NONCE_LEN);
        key.cipher
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

    /// Re-seals a value under the current key; `None` when it already is.
    pub fn reseal(&self, context: &str, sealed: &Sealed) -> Result<Option<Sealed>> {
        if sealed.key_id == self.key_id() {
            return Ok(None);
        }
        let plaintext = self.open(context, sealed)?;
        self.seal(context, &plaintext).map(Some)
    }

    fn reload_keys(&self) {
        let Some(fresh) = self.reload.as_ref().and_then(|r| r()) else {
            return;
        };
        if fresh.is_empty() {
            return;
        }
        if let Ok(mut keys) = self.keys.write() {
            *keys = fresh.iter().map(Key::new).collect();
            tracing::info!(key_ids = ?keys.iter().map(|k| k.id.as_str()).collect::<Vec<_>>(), "secret keys reloaded");
        }
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

    #[test]
    fn previous_keys_open_and_reseal_moves_to_the_current_key() {
        let (old, new) = (SecretBox::generate_key(), SecretBox::generate_key());
        let sealed = SecretBox::new(&old).seal("c", b"token").expect("seals");
        assert!(SecretBox::new(&new).open("c", &sealed).is_err());
        let ring = SecretBox::with_keys(&new, &[old]);
        assert_eq!(ring.open("c", &sealed).expect("opens"), b"token");
        let moved = ring
            .reseal("c", &sealed)
            .expect("reseals")
            .expect("changed");
        assert_eq!(moved.key_id, ring.key_id());
        assert_eq!(
            SecretBox::new(&new).open("c", &moved).expect("opens"),
            b"token"
        );
        assert!(ring.reseal("c", &moved).expect("reseals").is_none());
    }

    #[test]
    fn an_unknown_key_id_reloads_the_keys() {
        let (old, new) = (SecretBox::generate_key(), SecretBox::generate_key());
        let sealed = SecretBox::new(&new).seal("c", b"token").expect("seals");
        let running = SecretBox::new(&old).with_reloader(Arc::new(move || Some(vec![new, old])));
        let clone = running.clone();
        assert_eq!(running.open("c", &sealed).expect("opens"), b"token");
        assert_eq!(clone.key_id(), SecretBox::new(&new).key_id());
    }
}
