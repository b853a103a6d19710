//! Client-wide settings documents and per-company sync settings, stored as JSON.

use ledgerbridge_domain::CompanyId;
use ledgerbridge_domain::platform::{CompanySyncSettings, ProfileSyncSettings, SyncSetting};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::pool::{read_pool, write_pool};
use crate::{Result, Store};

/// The name under which a client-wide settings document is stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SettingsDoc {
    Profile,
    Cors,
    ProfileSyncSettings,
    /// This installation's client id (a UUID minted once).
    ClientId,
}

impl SettingsDoc {
    fn key(self) -> &'static str {
        match self {
            Self::Profile => "profile",
            Self::Cors => "cors",
            Self::ProfileSyncSettings => "profile_sync_settings",
            Self::ClientId => "client_id",
        }
    }
}

impl Store {
    /// A settings document, or `None` if it was never written.
    pub async fn get_settings<T: DeserializeOwned>(&self, doc: SettingsDoc) -> Result<Option<T>> {
        let row: Option<(String,)> = read_pool!(self, pool =>
            sqlx::query_as("SELECT value FROM settings WHERE name = $1").bind(doc.key()).fetch_optional(pool).await)?;
        Ok(row.map(|(v,)| serde_json::from_str(&v)).transpose()?)
    }

    /// Writes (replaces) a settings document.
    pub async fn put_settings<T: Serialize>(&self, doc: SettingsDoc, value: &T) -> Result<()> {
        let json = serde_json::to_string(value)?;
        write_pool!(self, pool =>
            sqlx::query("INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value")
                .bind(doc.key())
                .bind(&json)
                .execute(pool)
                .await
                .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// This installation's client id, minted on first use. Concurrent first uses agree: the
    /// first insert wins and everyone reads it back.
    pub async fn client_id(&self) -> Result<uuid::Uuid> {
        if let Some(id) = self
            .get_settings::<uuid::Uuid>(SettingsDoc::ClientId)
            .await?
        {
            return Ok(id);
        }
        let fresh = serde_json::to_string(&uuid::Uuid::new_v4())?;
        write_pool!(self, pool =>
            sqlx::query("INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
                .bind(SettingsDoc::ClientId.key())
                .bind(&fresh)
                .execute(pool)
                .await
                .map(|_| ()))?;
        let stored = read_pool!(self, pool =>
            sqlx::query_as::<_, (String,)>("SELECT value FROM settings WHERE name = $1")
                .bind(SettingsDoc::ClientId.key())
                .fetch_one(pool)
                .await)?;
        Ok(serde_json::from_str(&stored.0)?)
    }

    /// The sync settings that apply to a company: its own when it overrides the defaults,
    /// else the profile's, else the defaults (every type on first link, daily).
    pub async fn effective_sync_settings(&self, company: CompanyId) -> Result<Vec<SyncSetting>> {
        let own = self
            .get_company_sync_settings::<CompanySyncSettings>(company)
            .await?;
        if let Some(own) = own.filter(|o| o.overrides_defaults) {
            return Ok(own.settings);
        }
        Ok(self
            .get_settings::<ProfileSyncSettings>(SettingsDoc::ProfileSyncSettings)
            .await?
            .unwrap_or_else(ProfileSyncSettings::defaults)
            .settings)
    }

    /// A company's own sync settings document, if it has one.
    pub async fn get_company_sync_settings<T: DeserializeOwned>(
        &self,
        company: CompanyId,
    ) -> Result<Option<T>> {
        let row: Option<(String,)> = read_pool!(self, pool =>
            sqlx::query_as("SELECT value FROM company_sync_settings WHERE company_id = $1")
                .bind(company.to_string())
                .fetch_optional(pool)
                .await)?;
        Ok(row.map(|(v,)| serde_json::from_str(&v)).transpose()?)
    }

    /// Writes a company's sync settings. `false` when the company does not exist.
    pub async fn put_company_sync_settings<T: Serialize>(
        &self,
        company: CompanyId,
        value: &T,
    ) -> Result<bool> {
        let json = serde_json::to_string(value)?;
        let done = write_pool!(self, pool =>
            sqlx::query(
                "INSERT INTO company_sync_settings (company_id, value) \
                 SELECT id, $2 FROM companies WHERE id = $1 \
                 ON CONFLICT (company_id) DO UPDATE SET value = excluded.value",
            )
            .bind(company.to_string())
            .bind(&json)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }
}
