//! Store rows to Codat's wire types, with the URLs built from the public base URL.

use ledgerbridge_connectors::catalog::Platform;
use ledgerbridge_domain::DataType;
use ledgerbridge_domain::platform::{
    Branding, BrandingButton, BrandingImage, BrandingLogo, Company, Connection, DataTypeFeature,
    FeatureState, FeatureType, ImageReference, Integration, SupportedFeature,
};
use ledgerbridge_store::companies::{CompanyRow, CompanyWithConnections};
use ledgerbridge_store::connections::ConnectionRow;

use crate::state::AppState;

impl AppState {
    /// The Hosted Link URL of a company.
    pub fn company_redirect(&self, company: &CompanyRow) -> String {
        format!("{}/link/company/{}", self.public_url, company.id)
    }

    /// A company with its connections, as the API returns it.
    pub fn company(&self, c: CompanyWithConnections) -> Company {
        let redirect = self.company_redirect(&c.company);
        let data_connections = c
            .connections
            .into_iter()
            .map(|conn| self.connection(conn))
            .collect();
        let row = c.company;
        Company {
            id: row.id,
            name: row.name,
            description: row.description,
            redirect,
            last_sync: row.last_sync,
            created: row.created,
            products: Vec::new(),
            tags: row.tags,
            owner_user_ids: Vec::new(),
            reference_subsidiary_companies: Vec::new(),
            data_connections,
            platform: row.platform,
        }
    }

    /// A connection as the API returns it.
    pub fn connection(&self, c: ConnectionRow) -> Connection {
        Connection {
            link_url: format!(
                "{}/link/companies/{}/connections/{}/start",
                self.public_url, c.company_id, c.id
            ),
            id: c.id,
            integration_id: c.integration_id,
            integration_key: c.integration_key,
            source_id: c.source_id,
            source_type: c.source_type,
            platform_name: c.platform_name,
            status: c.status,
            last_sync: c.last_sync,
            created: c.created,
            data_connection_errors: c.errors,
            connection_info: c.connection_info,
        }
    }

    /// The logo URL of a platform, served by this binary.
    pub fn logo_url(&self, platform: &Platform) -> String {
        format!("{}/static/logos/{}.svg", self.public_url, platform.key)
    }

    /// An integration as the API returns it.
    pub fn integration(&self, p: &Platform) -> Integration {
        Integration {
            key: p.key.to_string(),
            logo_url: self.logo_url(p),
            name: p.name.to_string(),
            enabled: self.is_enabled(p),
            source_id: p.source_id,
            source_type: p.source_type,
            integration_id: p.integration_id,
            is_offline_connector: false,
            is_beta: false,
            data_provided_by: p.data_provided_by.to_string(),
            datatype_features: p.data_types.iter().map(|d| feature(*d)).collect(),
        }
    }

    /// An integration's branding images.
    pub fn branding(&self, p: &Platform) -> Branding {
        let image = |kind: &str| BrandingImage {
            image: ImageReference {
                src: self.logo_url(p),
                alt: format!("{} {kind} icon", p.name),
            },
        };
        Branding {
            logo: BrandingLogo {
                full: image("full"),
                square: image("square"),
            },
            button: BrandingButton {
                default: image("default"),
                hover: image("hover"),
            },
            source_id: p.source_id,
        }
    }
}

fn feature(data_type: DataType) -> DataTypeFeature {
    DataTypeFeature {
        data_type,
        supported_features: vec![SupportedFeature {
            feature_type: FeatureType::Get,
            feature_state: FeatureState::Release,
        }],
    }
}
