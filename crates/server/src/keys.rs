//! The master keys that encrypt secrets at rest, and their rotation.
//!
//! Where the keys come from, first match wins:
//! 1. `LEDGERBRIDGE_MASTER_KEY` (base64 of 32 bytes; `LEDGERBRIDGE_SECRET_KEY` is an older
//!    name for it), with `LEDGERBRIDGE_PREVIOUS_MASTER_KEYS` (comma-separated) still readable.
//! 2. `{data_dir}/secret.key` (mode 0600, created on first start): one base64 key per line,
//!    the current key first, older ones after it.
//!
//! `ledgerbridge keys rotate` re-encrypts every stored credential under the current key while
//! servers keep serving: values keep their key id, so each is opened with the key that sealed
//! it, and every write is a compare-and-swap that never overwrites a fresher token. With the
//! key file it first puts a new key at the top of the file; a running server re-reads the file
//! the first time it meets the new key id. With `LEDGERBRIDGE_MASTER_KEY`, deploy the new key
//! as the master key and the old one in `LEDGERBRIDGE_PREVIOUS_MASTER_KEYS`, then rotate.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use base64::Engine;
use ledgerbridge_store::Store;
use ledgerbridge_store::crypto::SecretBox;

use crate::config::Config;

const ENGINE: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// The key file's name in the data directory.
pub const KEY_FILE: &str = "secret.key";

fn decode(text: &str, from: &str) -> Result<[u8; 32]> {
    let bytes = ENGINE
        .decode(text.trim())
        .with_context(|| format!("{from} is not base64"))?;
    bytes
        .try_into()
        .map_err(|_| anyhow::anyhow!("{from} must decode to exactly 32 bytes"))
}

/// The configured master key, if any: `master_key`, else its older name `secret_key`.
fn configured_key(config: &Config) -> Option<(&str, &'static str)> {
    config
        .master_key
        .as_deref()
        .filter(|k| !k.trim().is_empty())
        .map(|k| (k, "LEDGERBRIDGE_MASTER_KEY"))
        .or_else(|| {
            config
                .secret_key
                .as_deref()
                .filter(|k| !k.trim().is_empty())
                .map(|k| (k, "LEDGERBRIDGE_SECRET_KEY"))
        })
}

fn key_file(config: &Config) -> PathBuf {
    config.data_dir.join(KEY_FILE)
}

/// Reads every key of a key file, current first.
fn read_key_file(path: &Path) -> Result<Vec<[u8; 32]>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let keys = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| decode(l, &format!("line {} of {}", i + 1, path.display())))
        .collect::<Result<Vec<_>>>()?;
    if keys.is_empty() {
        bail!("{} holds no key", path.display());
    }
    Ok(keys)
}

/// Writes a key file atomically with mode 0600.
fn write_key_file(path: &Path, keys: &[[u8; 32]]) -> Result<()> {
    use std::io::Write;
    let text: String = keys.iter().map(|k| ENGINE.encode(k) + "\n").collect();
    let tmp = path.with_extension("key.new");
    let _ = std::fs::remove_file(&tmp);
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts
        .open(&tmp)
        .with_context(|| format!("cannot create {}", tmp.display()))?;
    f.write_all(text.as_bytes())?;
    f.sync_all()?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot replace {}", path.display()))?;
    Ok(())
}

/// The keys that encrypt secrets at rest, per the rules in the module docs. With the key
/// file, the keys re-read the file when they meet an unknown key id (after a rotation).
pub fn secret_box(config: &Config) -> Result<SecretBox> {
    if let Some((key, from)) = configured_key(config) {
        let current = decode(key, from)?;
        let previous = config
            .previous_master_keys
            .as_deref()
            .unwrap_or_default()
            .split(',')
            .filter(|k| !k.trim().is_empty())
            .map(|k| decode(k, "LEDGERBRIDGE_PREVIOUS_MASTER_KEYS"))
            .collect::<Result<Vec<_>>>()?;
        return Ok(SecretBox::with_keys(&current, &previous));
    }
    config.ensure_data_dir()?;
    let path = key_file(config);
    if !path.exists() {
        write_key_file(&path, &[SecretBox::generate_key()])?;
    }
    let keys = read_key_file(&path)?;
    let reload_path = path.clone();
    let reload = Arc::new(move || match read_key_file(&reload_path) {
        Ok(keys) => Some(keys),
        Err(e) => {
            tracing::error!(error = %e, "cannot re-read the key file");
            None
        }
    });
    Ok(SecretBox::with_keys(&keys[0], &keys[1..]).with_reloader(reload))
}

/// What a rotation did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Rotation {
    /// The key id everything is sealed by now.
    pub key_id: String,
    /// Whether a new key was generated (key-file mode).
    pub new_key: bool,
    /// Credentials re-encrypted.
    pub resealed: u64,
    /// Credentials no loaded key could open (left as they were).
    pub unreadable: u64,
}

/// `ledgerbridge keys rotate`: with the key file, puts a new key first; then re-encrypts every
/// connection's credentials under the current key.
pub async fn rotate(config: &Config, store: &Store) -> Result<Rotation> {
    let mut new_key = false;
    let secrets = if configured_key(config).is_some() {
        secret_box(config)?
    } else {
        let path = key_file(config);
        let mut keys = if path.exists() {
            read_key_file(&path)?
        } else {
            Vec::new()
        };
        keys.insert(0, SecretBox::generate_key());
        write_key_file(&path, &keys)?;
        new_key = true;
        SecretBox::with_keys(&keys[0], &keys[1..])
    };
    let mut report = reseal_all(store, &secrets).await?;
    report.new_key = new_key;
    Ok(report)
}

/// Re-encrypts every credential not sealed by the current key, in batches, with
/// compare-and-swap writes. A value that changed under us is picked up by the next pass.
pub async fn reseal_all(store: &Store, secrets: &SecretBox) -> Result<Rotation> {
    let current = secrets.key_id();
    let mut report = Rotation {
        key_id: current.clone(),
        ..Rotation::default()
    };
    for _pass in 0..3 {
        let mut after = String::new();
        let mut changed_under_us = 0u64;
        let mut unreadable = 0u64;
        loop {
            let batch = store
                .credentials_not_sealed_by(&current, &after, 200)
                .await?;
            let Some(last) = batch.last() else { break };
            after = last.connection_id.to_string();
            for c in &batch {
                let context = format!("connection:{}", c.connection_id);
                let fresh = match secrets.reseal(&context, &c.sealed) {
                    Ok(Some(fresh)) => fresh,
                    Ok(None) => continue,
                    Err(e) => {
                        tracing::warn!(connection_id = %c.connection_id, key_id = %c.sealed.key_id, error = %e, "cannot open credentials");
                        unreadable += 1;
                        continue;
                    }
                };
                if store
                    .replace_connection_credentials(
                        c.company_id,
                        c.connection_id,
                        &c.sealed,
                        &fresh,
                    )
                    .await?
                {
                    report.resealed += 1;
                } else {
                    changed_under_us += 1;
                }
            }
        }
        report.unreadable = unreadable;
        if changed_under_us == 0 {
            break;
        }
    }
    Ok(report)
}

/// A fresh random key, base64, for `LEDGERBRIDGE_MASTER_KEY`.
pub fn generate() -> String {
    ENGINE.encode(SecretBox::generate_key())
}
