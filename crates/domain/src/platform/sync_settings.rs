//! Sync settings: which data types are fetched on first link and how often.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::data_type::DataType;
use crate::ids::CompanyId;
use crate::time::Timestamp;

/// How one data type is synced.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SyncSetting {
    pub data_type: DataType,
    pub fetch_on_first_link: bool,
    /// Hours between scheduled refreshes; 0 means never.
    pub sync_schedule: i32,
    pub sync_order: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_from_utc: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_from_window: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub months_to_sync: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_locked: Option<bool>,
}

impl SyncSetting {
    /// The default for a data type: fetched on first link, refreshed daily, statements for 24 months.
    pub fn default_for(data_type: DataType, order: i32) -> Self {
        Self {
            data_type,
            fetch_on_first_link: true,
            sync_schedule: 24,
            sync_order: order,
            sync_from_utc: None,
            sync_from_window: None,
            months_to_sync: data_type.is_report().then_some(24),
            is_locked: None,
        }
    }

    /// What is wrong with this setting, worded for the person who sent it.
    pub fn validate(&self) -> Result<(), String> {
        let key = self.data_type.key();
        if self.sync_schedule < 0 {
            return Err(format!("syncSchedule for {key} must be 0 or more hours."));
        }
        if self.sync_from_utc.is_some() && self.sync_from_window.is_some() {
            return Err(format!(
                "Set syncFromUtc or syncFromWindow for {key}, not both."
            ));
        }
        if self.sync_from_window.is_some_and(|w| w < 1) {
            return Err(format!(
                "syncFromWindow for {key} must be at least 1 month."
            ));
        }
        if let Some(m) = self.months_to_sync {
            if !self.data_type.is_report() {
                return Err(format!(
                    "monthsToSync only applies to balanceSheet, profitAndLoss and cashFlowStatement, not {key}."
                ));
            }
            if !(1..=120).contains(&m) {
                return Err(format!("monthsToSync for {key} must be between 1 and 120."));
            }
        }
        Ok(())
    }
}

/// Validates a whole list: each setting, and no data type twice.
pub fn validate_settings(settings: &[SyncSetting]) -> Result<(), String> {
    let mut seen = std::collections::HashSet::new();
    for s in settings {
        s.validate()?;
        if !seen.insert(s.data_type) {
            return Err(format!(
                "{} appears more than once in settings.",
                s.data_type
            ));
        }
    }
    Ok(())
}

/// `GET/POST /companies/{id}/syncSettings`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CompanySyncSettings {
    #[schema(value_type = uuid::Uuid)]
    pub company_id: CompanyId,
    pub settings: Vec<SyncSetting>,
    #[serde(default = "default_true")]
    pub overrides_defaults: bool,
}

/// `GET/POST /profile/syncSettings`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProfileSyncSettings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    pub settings: Vec<SyncSetting>,
    #[serde(default = "default_true")]
    pub overrides_defaults: bool,
}

impl ProfileSyncSettings {
    /// Every accounting data type with [`SyncSetting::default_for`], in enum order.
    pub fn defaults() -> Self {
        let settings = DataType::ALL
            .into_iter()
            .filter(|d| d.is_accounting())
            .zip(0..)
            .map(|(d, order)| SyncSetting::default_for(d, order))
            .collect();
        Self {
            client_id: None,
            settings,
            overrides_defaults: false,
        }
    }
}

fn default_true() -> bool {
    true
}
