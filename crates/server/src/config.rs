//! Configuration: defaults < TOML file (`--config`) < `LEDGERBRIDGE_*` environment < flags.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::Deserialize;

/// Which parts of ledgerbridge this process runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// API and background workers in one process (the embedded default).
    All,
    /// Only the HTTP API (multi-node, PostgreSQL only).
    Api,
    /// Only background workers, with `/health` and `/ready` (multi-node, PostgreSQL only).
    Worker,
}

/// The settled configuration.
#[derive(Clone, Deserialize)]
pub struct Config {
    pub role: Role,
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    /// `sqlite://...` or `postgres://...`; empty means a SQLite file in the data dir.
    #[serde(default)]
    pub database_url: String,
    /// Base of every URL handed out; empty means `http://{addr}`.
    #[serde(default)]
    pub public_url: String,
    /// An extra accepted API key, for automation.
    #[serde(default)]
    pub api_key: Option<String>,
    /// Older name of `master_key` (`LEDGERBRIDGE_SECRET_KEY`), still honoured.
    #[serde(default)]
    pub secret_key: Option<String>,
    /// Base64 of the 32-byte key that encrypts secrets at rest (`LEDGERBRIDGE_MASTER_KEY`);
    /// empty means `{data_dir}/secret.key`, created on first start.
    #[serde(default)]
    pub master_key: Option<String>,
    /// Comma-separated older master keys that still open what they sealed, during a rotation.
    #[serde(default)]
    pub previous_master_keys: Option<String>,
    #[serde(default)]
    pub xero_client_id: Option<String>,
    #[serde(default)]
    pub xero_client_secret: Option<String>,
    /// Xero's consent page (`LEDGERBRIDGE_XERO_AUTHORIZE_URL`).
    #[serde(default = "default_xero_authorize_url")]
    pub xero_authorize_url: String,
    /// Xero's token endpoint (`LEDGERBRIDGE_XERO_TOKEN_URL`).
    #[serde(default = "default_xero_token_url")]
    pub xero_token_url: String,
    /// Xero's API host: tenants at `{api}/connections`, accounting at `{api}/api.xro/2.0`
    /// (`LEDGERBRIDGE_XERO_API_URL`).
    #[serde(default = "default_xero_api_url")]
    pub xero_api_url: String,
    /// Scopes asked for, separated by spaces or commas (`LEDGERBRIDGE_XERO_SCOPES`).
    #[serde(default = "default_xero_scopes")]
    pub xero_scopes: String,
    #[serde(default)]
    pub quickbooks_client_id: Option<String>,
    #[serde(default)]
    pub quickbooks_client_secret: Option<String>,
    /// Intuit's consent page (`LEDGERBRIDGE_QUICKBOOKS_AUTHORIZE_URL`).
    #[serde(default = "default_quickbooks_authorize_url")]
    pub quickbooks_authorize_url: String,
    /// Intuit's token endpoint (`LEDGERBRIDGE_QUICKBOOKS_TOKEN_URL`).
    #[serde(default = "default_quickbooks_token_url")]
    pub quickbooks_token_url: String,
    /// QuickBooks Online's API host, companies at `{api}/v3/company/{realmId}`
    /// (`LEDGERBRIDGE_QUICKBOOKS_API_URL`).
    #[serde(default = "default_quickbooks_api_url")]
    pub quickbooks_api_url: String,
    /// Scopes asked for, separated by spaces or commas (`LEDGERBRIDGE_QUICKBOOKS_SCOPES`).
    #[serde(default = "default_quickbooks_scopes")]
    pub quickbooks_scopes: String,
    /// Datasets this process syncs at once (roles `all` and `worker`); 0 runs no syncs here.
    #[serde(default = "default_worker_concurrency")]
    pub worker_concurrency: usize,
    /// `text` or `json` log lines.
    #[serde(default = "default_log_format")]
    pub log_format: String,
    /// Deliver webhooks to (and accept consumer URLs on) loopback and private addresses:
    /// for local development and tests only.
    #[serde(default)]
    pub webhooks_allow_private: bool,
    /// Days finished webhook messages, their attempts and events are kept: the delivery log
    /// and the replay window (`LEDGERBRIDGE_WEBHOOKS_RETENTION_DAYS`).
    #[serde(default = "default_webhooks_retention_days")]
    pub webhooks_retention_days: u32,
    /// Where Prometheus scrapes `/metrics` (e.g. `127.0.0.1:9090`); empty means no metrics.
    /// Never the public port.
    #[serde(default)]
    pub metrics_addr: String,
    /// OTLP/HTTP collector the request and dataset spans are exported to (e.g.
    /// `http://127.0.0.1:4318`, spans go to `{endpoint}/v1/traces`); empty means no export.
    #[serde(default)]
    pub otlp_endpoint: String,
    /// Requests each API key may make per UTC day, over all nodes; 0 means no quota.
    #[serde(default = "default_rate_limit_daily_quota")]
    pub rate_limit_daily_quota: u64,
    /// Requests of one API key in flight at once on one node; 0 means no limit.
    #[serde(default = "default_rate_limit_concurrency")]
    pub rate_limit_concurrency: u32,
    /// Seconds a request may take before it is answered `503`.
    #[serde(default = "default_request_timeout_secs")]
    pub request_timeout_secs: u64,
    /// Largest request body accepted, in bytes (bigger ones get `413`).
    #[serde(default = "default_max_body_bytes")]
    pub max_body_bytes: usize,
    /// On SIGTERM, seconds to wait for in-flight requests and running syncs before exiting.
    #[serde(default = "default_shutdown_timeout_secs")]
    pub shutdown_timeout_secs: u64,
}

/// One setting of the configuration reference: its TOML key (the environment variable is
/// `LEDGERBRIDGE_` and the key in capitals), its default and what it does.
#[derive(Clone, Debug)]
pub struct Setting {
    pub key: &'static str,
    /// Empty when the setting has no value unless given.
    pub default: String,
    pub doc: &'static str,
}

impl Setting {
    /// The environment variable that sets it.
    pub fn env(&self) -> String {
        format!("LEDGERBRIDGE_{}", self.key.to_ascii_uppercase())
    }
}

fn setting(key: &'static str, default: impl Into<String>, doc: &'static str) -> Setting {
    Setting {
        key,
        default: default.into(),
        doc,
    }
}

/// Every setting, in the order the reference lists them. [`Config::load`] takes its defaults
/// from here, and `ledgerbridge config reference` prints it (docs/deploy.md holds that output;
/// a test keeps them equal).
pub fn settings() -> Vec<Setting> {
    vec![
        setting(
            "role",
            "all",
            "Which parts this process runs: `all` (API and workers), `api` or `worker` (the last two need PostgreSQL). Also `serve --role`.",
        ),
        setting(
            "addr",
            "127.0.0.1:8080",
            "Address the public API listens on. Also `--addr`.",
        ),
        setting(
            "data_dir",
            "./data",
            "Directory of the SQLite database and the generated master key file. Also `--data-dir`.",
        ),
        setting(
            "database_url",
            "",
            "`sqlite://PATH` or `postgres://USER:PASSWORD@HOST/DB`; empty means `{data_dir}/ledgerbridge.db`. Also `--database-url`.",
        ),
        setting(
            "public_url",
            "",
            "Base of every URL handed out (Link, redirects, logos); empty means `http://{addr}`.",
        ),
        setting(
            "api_key",
            "",
            "An extra accepted API key, for automation (secret).",
        ),
        setting(
            "master_key",
            "",
            "Base64 of the 32-byte key that encrypts secrets at rest (secret); empty means `{data_dir}/secret.key`, created on first start.",
        ),
        setting(
            "previous_master_keys",
            "",
            "Comma-separated older master keys that still decrypt what they sealed, during a rotation (secret).",
        ),
        setting(
            "secret_key",
            "",
            "Older name of `master_key`, still honoured (secret).",
        ),
        setting(
            "worker_concurrency",
            default_worker_concurrency().to_string(),
            "Datasets this process syncs at once (roles `all` and `worker`); 0 runs no syncs here.",
        ),
        setting(
            "log_format",
            default_log_format(),
            "`text` (human-readable) or `json` log lines on stderr. Levels come from `RUST_LOG`.",
        ),
        setting(
            "metrics_addr",
            "",
            "Private address of the Prometheus `/metrics` listener (e.g. `127.0.0.1:9090`); empty means no metrics. Never the public port.",
        ),
        setting(
            "otlp_endpoint",
            "",
            "OpenTelemetry collector (OTLP over HTTP/protobuf, e.g. `http://127.0.0.1:4318`) the `request` and `dataset` spans are exported to, at `{otlp_endpoint}/v1/traces`, as service `ledgerbridge`; empty means no export. `OTEL_EXPORTER_OTLP_HEADERS` adds headers (e.g. the collector's credentials).",
        ),
        setting(
            "rate_limit_daily_quota",
            default_rate_limit_daily_quota().to_string(),
            "Requests each API key may make per UTC day, shared by every node on the database; 0 means no quota.",
        ),
        setting(
            "rate_limit_concurrency",
            default_rate_limit_concurrency().to_string(),
            "Requests of one API key in flight at once on one node; 0 means no limit.",
        ),
        setting(
            "request_timeout_secs",
            default_request_timeout_secs().to_string(),
            "Seconds a request may take before it is answered `503`.",
        ),
        setting(
            "max_body_bytes",
            default_max_body_bytes().to_string(),
            "Largest request body accepted, in bytes; bigger ones get `413`.",
        ),
        setting(
            "shutdown_timeout_secs",
            default_shutdown_timeout_secs().to_string(),
            "On SIGTERM or Ctrl-C, seconds to wait for in-flight requests and running syncs to finish before exiting.",
        ),
        setting(
            "webhooks_allow_private",
            "false",
            "Deliver webhooks to loopback and private addresses: local development and tests only.",
        ),
        setting(
            "webhooks_retention_days",
            default_webhooks_retention_days().to_string(),
            "Days delivered and failed webhook messages, their attempts and events are kept (the delivery log and the replay window).",
        ),
        setting(
            "xero_client_id",
            "",
            "Client id of your Xero app; with the secret, enables Xero.",
        ),
        setting(
            "xero_client_secret",
            "",
            "Client secret of your Xero app (secret).",
        ),
        setting(
            "xero_authorize_url",
            default_xero_authorize_url(),
            "Xero's consent page.",
        ),
        setting(
            "xero_token_url",
            default_xero_token_url(),
            "Xero's token endpoint.",
        ),
        setting(
            "xero_api_url",
            default_xero_api_url(),
            "Xero's API host (tenants at `/connections`, accounting at `/api.xro/2.0`).",
        ),
        setting(
            "xero_scopes",
            default_xero_scopes(),
            "Scopes asked of Xero, separated by spaces or commas.",
        ),
        setting(
            "quickbooks_client_id",
            "",
            "Client id of your QuickBooks Online app.",
        ),
        setting(
            "quickbooks_client_secret",
            "",
            "Client secret of your QuickBooks Online app (secret).",
        ),
        setting(
            "quickbooks_authorize_url",
            default_quickbooks_authorize_url(),
            "Intuit's consent page.",
        ),
        setting(
            "quickbooks_token_url",
            default_quickbooks_token_url(),
            "Intuit's token endpoint.",
        ),
        setting(
            "quickbooks_api_url",
            default_quickbooks_api_url(),
            "QuickBooks Online's API host (`/v3/company/{realmId}/...`).",
        ),
        setting(
            "quickbooks_scopes",
            default_quickbooks_scopes(),
            "Scopes asked of Intuit, separated by spaces or commas.",
        ),
    ]
}

/// The configuration reference as a Markdown table (`ledgerbridge config reference`).
pub fn reference_markdown() -> String {
    let mut out = String::from(
        "| TOML key | Environment variable | Default | What it does |\n|---|---|---|---|\n",
    );
    for s in settings() {
        let default = if s.default.is_empty() {
            "(none)".to_string()
        } else {
            format!("`{}`", s.default)
        };
        out.push_str(&format!(
            "| `{}` | `{}` | {} | {} |\n",
            s.key,
            s.env(),
            default,
            s.doc.replace('|', "\\|")
        ));
    }
    out
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redact = |s: &Option<String>| s.as_ref().map(|_| "<redacted>");
        f.debug_struct("Config")
            .field("role", &self.role)
            .field("worker_concurrency", &self.worker_concurrency)
            .field("webhooks_allow_private", &self.webhooks_allow_private)
            .field("webhooks_retention_days", &self.webhooks_retention_days)
            .field("metrics_addr", &self.metrics_addr)
            .field("otlp_endpoint", &self.otlp_endpoint)
            .field("rate_limit_daily_quota", &self.rate_limit_daily_quota)
            .field("rate_limit_concurrency", &self.rate_limit_concurrency)
            .field("request_timeout_secs", &self.request_timeout_secs)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("shutdown_timeout_secs", &self.shutdown_timeout_secs)
            .field("addr", &self.addr)
            .field("data_dir", &self.data_dir)
            .field("database_url", &redact_url(&self.database_url))
            .field("public_url", &self.public_url)
            .field("api_key", &redact(&self.api_key))
            .field("secret_key", &redact(&self.secret_key))
            .field("master_key", &redact(&self.master_key))
            .field("previous_master_keys", &redact(&self.previous_master_keys))
            .field("xero_client_id", &self.xero_client_id)
            .field("xero_client_secret", &redact(&self.xero_client_secret))
            .field("xero_authorize_url", &self.xero_authorize_url)
            .field("xero_token_url", &self.xero_token_url)
            .field("xero_api_url", &self.xero_api_url)
            .field("xero_scopes", &self.xero_scopes)
            .field("quickbooks_client_id", &self.quickbooks_client_id)
            .field("quickbooks_authorize_url", &self.quickbooks_authorize_url)
            .field("quickbooks_token_url", &self.quickbooks_token_url)
            .field("quickbooks_api_url", &self.quickbooks_api_url)
            .field("quickbooks_scopes", &self.quickbooks_scopes)
            .field(
                "quickbooks_client_secret",
                &redact(&self.quickbooks_client_secret),
            )
            .finish()
    }
}

/// A database URL with any password replaced.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let creds = &url[scheme_end + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

fn default_webhooks_retention_days() -> u32 {
    30
}

fn default_worker_concurrency() -> usize {
    4
}

fn default_rate_limit_daily_quota() -> u64 {
    10_000_000
}

fn default_rate_limit_concurrency() -> u32 {
    256
}

fn default_request_timeout_secs() -> u64 {
    60
}

fn default_max_body_bytes() -> usize {
    2 * 1024 * 1024
}

fn default_shutdown_timeout_secs() -> u64 {
    30
}

fn default_log_format() -> String {
    "text".into()
}

fn default_xero_authorize_url() -> String {
    ledgerbridge_connectors::xero::AUTHORIZE_URL.into()
}

fn default_xero_token_url() -> String {
    ledgerbridge_connectors::xero::TOKEN_URL.into()
}

fn default_xero_api_url() -> String {
    ledgerbridge_connectors::xero::API_URL.into()
}

fn default_xero_scopes() -> String {
    ledgerbridge_connectors::xero::DEFAULT_SCOPES.join(" ")
}

fn default_quickbooks_authorize_url() -> String {
    ledgerbridge_connectors::quickbooks::AUTHORIZE_URL.into()
}

fn default_quickbooks_token_url() -> String {
    ledgerbridge_connectors::quickbooks::TOKEN_URL.into()
}

fn default_quickbooks_api_url() -> String {
    ledgerbridge_connectors::quickbooks::API_URL.into()
}

fn default_quickbooks_scopes() -> String {
    ledgerbridge_connectors::quickbooks::DEFAULT_SCOPES.join(" ")
}

/// Values given on the command line; they win over everything else.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct Overrides {
    /// TOML configuration file.
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    /// Address to listen on [env: LEDGERBRIDGE_ADDR] [default: 127.0.0.1:8080].
    #[arg(long, global = true)]
    pub addr: Option<String>,
    /// Where the SQLite file and generated keys live [env: LEDGERBRIDGE_DATA_DIR] [default: ./data].
    #[arg(long, global = true)]
    pub data_dir: Option<PathBuf>,
    /// `sqlite://...` or `postgres://...` [env: LEDGERBRIDGE_DATABASE_URL] [default: SQLite in the data dir].
    #[arg(long, global = true)]
    pub database_url: Option<String>,
}

impl Config {
    /// Layers defaults, the TOML file, the environment and the flags.
    pub fn load(flags: &Overrides, role: Option<Role>) -> Result<Self> {
        let mut b = config::Config::builder();
        for s in settings().into_iter().filter(|s| !s.default.is_empty()) {
            b = b.set_default(s.key, s.default)?;
        }
        if let Some(path) = &flags.config {
            b = b.add_source(
                config::File::from(path.as_path())
                    .format(config::FileFormat::Toml)
                    .required(true),
            );
        }
        b = b.add_source(
            config::Environment::with_prefix("LEDGERBRIDGE")
                .prefix_separator("_")
                .try_parsing(false),
        );
        if let Some(v) = &flags.addr {
            b = b.set_override("addr", v.as_str())?;
        }
        if let Some(v) = &flags.data_dir {
            b = b.set_override("data_dir", v.to_string_lossy().as_ref())?;
        }
        if let Some(v) = &flags.database_url {
            b = b.set_override("database_url", v.as_str())?;
        }
        if let Some(role) = role {
            let name = match role {
                Role::All => "all",
                Role::Api => "api",
                Role::Worker => "worker",
            };
            b = b.set_override("role", name)?;
        }
        let cfg: Config = b
            .build()?
            .try_deserialize()
            .context("invalid configuration")?;
        cfg.validate()?;
        Ok(cfg)
    }

    fn validate(&self) -> Result<()> {
        if self.role != Role::All && !self.is_postgres() {
            bail!(
                "--role {:?} is for multi-node deployments and needs PostgreSQL (LEDGERBRIDGE_DATABASE_URL=postgres://...); \
                 with SQLite run --role all",
                self.role
            );
        }
        Ok(())
    }

    /// Whether the database is PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.database_url.starts_with("postgres://")
            || self.database_url.starts_with("postgresql://")
    }

    /// The database URL, defaulting to `{data_dir}/ledgerbridge.db`.
    pub fn database_url(&self) -> String {
        if self.database_url.is_empty() {
            format!(
                "sqlite://{}",
                self.data_dir.join("ledgerbridge.db").display()
            )
        } else {
            self.database_url.clone()
        }
    }

    /// The public base URL, defaulting to `http://{addr}`.
    pub fn public_url(&self, bound: SocketAddr) -> String {
        if self.public_url.is_empty() {
            format!("http://{bound}")
        } else {
            self.public_url.trim_end_matches('/').to_string()
        }
    }

    /// The data directory, created if missing.
    pub fn ensure_data_dir(&self) -> Result<&Path> {
        std::fs::create_dir_all(&self.data_dir)
            .with_context(|| format!("cannot create data dir {}", self.data_dir.display()))?;
        Ok(&self.data_dir)
    }

    /// The Xero app, when its client id and secret are configured.
    pub fn xero_app(&self) -> Option<ledgerbridge_connectors::oauth::OAuthApp> {
        let id = self.xero_client_id.as_deref().filter(|s| !s.is_empty())?;
        let secret = self
            .xero_client_secret
            .as_deref()
            .filter(|s| !s.is_empty())?;
        Some(ledgerbridge_connectors::oauth::OAuthApp {
            client_id: id.to_string(),
            client_secret: secret.to_string(),
            authorize_url: self.xero_authorize_url.trim().to_string(),
            token_url: self.xero_token_url.trim().to_string(),
            api_url: self.xero_api_url.trim().trim_end_matches('/').to_string(),
            scopes: self
                .xero_scopes
                .split([' ', ','])
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
        })
    }

    /// The QuickBooks Online app, when its client id and secret are configured.
    pub fn quickbooks_app(&self) -> Option<ledgerbridge_connectors::oauth::OAuthApp> {
        let id = self
            .quickbooks_client_id
            .as_deref()
            .filter(|s| !s.is_empty())?;
        let secret = self
            .quickbooks_client_secret
            .as_deref()
            .filter(|s| !s.is_empty())?;
        Some(ledgerbridge_connectors::oauth::OAuthApp {
            client_id: id.to_string(),
            client_secret: secret.to_string(),
            authorize_url: self.quickbooks_authorize_url.trim().to_string(),
            token_url: self.quickbooks_token_url.trim().to_string(),
            api_url: self
                .quickbooks_api_url
                .trim()
                .trim_end_matches('/')
                .to_string(),
            scopes: self
                .quickbooks_scopes
                .split([' ', ','])
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
        })
    }

    /// OAuth platforms whose app credentials are configured.
    pub fn configured_platforms(&self) -> Vec<String> {
        let set = |a: &Option<String>, b: &Option<String>| {
            a.as_deref().is_some_and(|s| !s.is_empty())
                && b.as_deref().is_some_and(|s| !s.is_empty())
        };
        let mut v = Vec::new();
        if set(&self.xero_client_id, &self.xero_client_secret) {
            v.push("gbol".to_string());
        }
        if set(&self.quickbooks_client_id, &self.quickbooks_client_secret) {
            v.push("qhyg".to_string());
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xero_defaults_are_xeros_real_endpoints() {
        let mut cfg = Config::load(&Overrides::default(), None).expect("defaults load");
        assert_eq!(cfg.xero_app(), None, "no client id and secret: no Xero");
        assert_eq!(
            cfg.xero_authorize_url,
            "https://login.xero.com/identity/connect/authorize"
        );
        assert_eq!(
            cfg.xero_token_url,
            "https://identity.xero.com/connect/token"
        );
        assert_eq!(cfg.xero_api_url, "https://api.xero.com");
        cfg.xero_client_id = Some("id".into());
        cfg.xero_client_secret = Some("secret".into());
        cfg.xero_scopes = "offline_access, accounting.invoices.read".into();
        let app = cfg.xero_app().expect("configured");
        assert_eq!(app.scopes, ["offline_access", "accounting.invoices.read"]);
        assert!(!format!("{cfg:?}").contains("secret\""));
    }

    #[test]
    fn quickbooks_defaults_are_intuits_real_endpoints() {
        let mut cfg = Config::load(&Overrides::default(), None).expect("defaults load");
        assert_eq!(
            cfg.quickbooks_app(),
            None,
            "no client id and secret: no QuickBooks"
        );
        assert_eq!(
            cfg.quickbooks_authorize_url,
            "https://appcenter.intuit.com/connect/oauth2"
        );
        assert_eq!(
            cfg.quickbooks_token_url,
            "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer"
        );
        assert_eq!(cfg.quickbooks_api_url, "https://quickbooks.api.intuit.com");
        assert_eq!(cfg.quickbooks_scopes, "com.intuit.quickbooks.accounting");
        cfg.quickbooks_client_id = Some("id".into());
        cfg.quickbooks_client_secret = Some("secret".into());
        cfg.quickbooks_api_url = "http://127.0.0.1:9/".into();
        let app = cfg.quickbooks_app().expect("configured");
        assert_eq!(app.scopes, ["com.intuit.quickbooks.accounting"]);
        assert_eq!(app.api_url, "http://127.0.0.1:9");
        assert!(!format!("{cfg:?}").contains("secret\""));
    }

    #[test]
    fn defaults_are_the_references() {
        let cfg = Config::load(&Overrides::default(), None).expect("defaults load");
        assert_eq!(cfg.worker_concurrency, default_worker_concurrency());
        assert_eq!(cfg.rate_limit_daily_quota, 10_000_000);
        assert_eq!(cfg.rate_limit_concurrency, 256);
        assert_eq!(cfg.request_timeout_secs, 60);
        assert_eq!(cfg.max_body_bytes, 2 * 1024 * 1024);
        assert!(cfg.metrics_addr.is_empty(), "metrics are off unless set");
        assert_eq!(cfg.addr.to_string(), "127.0.0.1:8080");
        // Every field of Config appears in the reference (its Debug names them all).
        let debug = format!("{cfg:?}");
        let keys: Vec<String> = settings().iter().map(|s| s.key.to_string()).collect();
        for field in debug
            .trim_start_matches("Config {")
            .split(", ")
            .filter_map(|f| f.split(':').next())
            .map(str::trim)
            .filter(|f| !f.is_empty() && !f.contains(['}', ' ']))
        {
            assert!(
                keys.iter().any(|k| k == field),
                "`{field}` is missing from settings()"
            );
        }
    }

    #[test]
    fn docs_deploy_md_holds_the_current_reference() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/deploy.md");
        let doc = std::fs::read_to_string(&path).expect("docs/deploy.md exists");
        assert!(
            doc.contains(&reference_markdown()),
            "docs/deploy.md is out of date: paste the output of `ledgerbridge config reference`"
        );
    }

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact_url("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(redact_url("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact_url("sqlite://./data/x.db"), "sqlite://./data/x.db");
    }
}
