//! The company's own details as its accounting platform holds them (`company`, served at
//! `/data/info`).

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

use super::common::{Address, PhoneNumber, SupplementalData};
use super::datetime::CodatDateTime;

/// The company's details in its accounting platform.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompanyInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_name: Option<String>,
    /// The company's id in the accounting platform.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accounting_platform_ref: Option<String>,
    /// The registered legal name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_legal_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addresses: Option<Vec<Address>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_numbers: Option<Vec<PhoneNumber>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_links: Option<Vec<WebLink>>,
    /// Entries on or before this date can no longer be changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ledger_lock_date: Option<CodatDateTime>,
    /// Company registration number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_number: Option<String>,
    /// Tax (VAT, GST, EIN, ...) number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_number: Option<String>,
    /// Start of the current financial year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub financial_year_start_date: Option<CodatDateTime>,
    /// The currency the books are kept in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_currency: Option<String>,
    /// Links into the platform's web app, keyed by data type. Codat allows null links;
    /// they are dropped on input so that no `null` is ever written.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "links_without_nulls"
    )]
    pub source_urls: Option<BTreeMap<String, String>>,
    /// When the company was created in the platform.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_date: Option<CodatDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplemental_data: Option<SupplementalData>,
}

fn links_without_nulls<'de, D>(
    deserializer: D,
) -> Result<Option<BTreeMap<String, String>>, D::Error>
where
    D: Deserializer<'de>,
{
    let links = Option::<BTreeMap<String, Option<String>>>::deserialize(deserializer)?;
    Ok(links.map(|links| {
        links
            .into_iter()
            .filter_map(|(key, url)| url.map(|url| (key, url)))
            .collect()
    }))
}

/// A web address of the company.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebLink {
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "type")]
    pub kind: Option<WebLinkType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

codat_enum! {
    /// What a web link is.
    pub enum WebLinkType {
        Website = "Website",
        Social = "Social",
        Unknown = "Unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_source_urls_are_dropped() {
        let info: CompanyInfo = serde_json::from_str(
            r#"{"companyName":"Acme","sourceUrls":{"bills":null,"invoices":"https://x.example/i"}}"#,
        )
        .expect("parses");
        assert_eq!(
            serde_json::to_string(&info).expect("serialises"),
            r#"{"companyName":"Acme","sourceUrls":{"invoices":"https://x.example/i"}}"#
        );
        let none: CompanyInfo = serde_json::from_str(r#"{"sourceUrls":null}"#).expect("parses");
        assert_eq!(none.source_urls, None);
    }
}
