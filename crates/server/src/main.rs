//! `ledgerbridge`: serve the API, run migrations, manage API keys.
#![forbid(unsafe_code)]

use anyhow::Result;
use clap::{Parser, Subcommand};
use ledgerbridge_store::api_keys::new_api_key;

mod demo;

use ledgerbridge::application::{Application, open_store};
use ledgerbridge::config::{self, Config, Overrides, Role};

/// A self-hosted, Codat-compatible unified accounting-data API.
#[derive(Parser)]
#[command(name = "ledgerbridge", version)]
struct Cli {
    #[command(flatten)]
    overrides: Overrides,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server.
    Serve {
        /// Which parts to run [env: LEDGERBRIDGE_ROLE] [default: all].
        #[arg(long, value_enum)]
        role: Option<Role>,
    },
    /// Create a company, link the Sandbox, run its first sync with progress, then keep serving.
    Demo {
        /// Sandbox books: small, medium or large.
        #[arg(long, default_value = "medium")]
        size: String,
        /// Seed of the books (the same seed gives the same books).
        #[arg(long, default_value = "demo")]
        seed: String,
    },
    /// Run a local simulator of an accounting platform, for development without its cloud.
    Simulate {
        #[command(subcommand)]
        platform: SimulatedPlatform,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Manage API keys.
    ApiKeys {
        #[command(subcommand)]
        action: ApiKeyAction,
    },
    /// Manage the master keys that encrypt secrets at rest.
    Keys {
        #[command(subcommand)]
        action: KeyAction,
    },
    /// Copy the SQLite database, consistently, into a new file while the server keeps
    /// running (PostgreSQL: use pg_dump, see docs/deploy.md).
    Backup {
        /// The file to write (must not exist yet).
        file: std::path::PathBuf,
    },
    /// Describe the configuration.
    #[command(name = "config")]
    ConfigInfo {
        #[command(subcommand)]
        action: ConfigAction,
    },
}

#[derive(Subcommand)]
enum ConfigAction {
    /// Print every setting, its environment variable and default as a Markdown table.
    Reference,
}

#[derive(Subcommand)]
enum KeyAction {
    /// Re-encrypt every stored credential under the current key, while servers keep serving.
    /// With the key file in the data dir, a new key is generated first (old ones stay
    /// readable); with LEDGERBRIDGE_MASTER_KEY, set the new key there and the old one in
    /// LEDGERBRIDGE_PREVIOUS_MASTER_KEYS, restart the servers, then run this.
    Rotate,
    /// Print a fresh random key for LEDGERBRIDGE_MASTER_KEY.
    Generate,
}

#[derive(Subcommand)]
enum SimulatedPlatform {
    /// A local Xero: consent page, token endpoint, `/connections` and the Accounting API over
    /// organisations generated from the Sandbox books.
    Xero {
        /// Port to listen on (127.0.0.1).
        #[arg(long, default_value_t = 8090)]
        port: u16,
        /// Seed of the books (one organisation per `--seed`; repeat for several).
        #[arg(long, default_values_t = vec!["42".to_string()])]
        seed: Vec<String>,
        /// Size of the books: small, medium or large.
        #[arg(long, default_value = "small")]
        size: String,
        /// The simulated app's client id.
        #[arg(long, default_value = "sim-client-id")]
        client_id: String,
        /// The simulated app's client secret.
        #[arg(long, default_value = "sim-client-secret")]
        client_secret: String,
    },
    /// A local QuickBooks Online: Intuit's consent page and token endpoint, and the
    /// Accounting API v3 (query, change data capture, reports) over companies generated from
    /// the Sandbox books.
    Quickbooks {
        /// Port to listen on (127.0.0.1).
        #[arg(long, default_value_t = 8091)]
        port: u16,
        /// Seed of the books (one company per `--seed`; repeat for several).
        #[arg(long, default_values_t = vec!["42".to_string()])]
        seed: Vec<String>,
        /// Size of the books: small, medium or large.
        #[arg(long, default_value = "small")]
        size: String,
        /// The simulated app's client id.
        #[arg(long, default_value = "sim-intuit-client-id")]
        client_id: String,
        /// The simulated app's client secret.
        #[arg(long, default_value = "sim-intuit-client-secret")]
        client_secret: String,
    },
}

#[derive(Subcommand)]
enum ApiKeyAction {
    /// Create a key and print it (it is shown only once).
    Create {
        #[arg(long)]
        name: Option<String>,
    },
    /// List keys (masked).
    List,
    /// Delete a key by id.
    Delete { id: String },
}

/// mimalloc: the sync path builds and drops many small JSON trees, where glibc's allocator
/// spent about a fifth of the CPU (docs/benchmarks.md, "Xero connector").
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> Result<()> {
    let cli = Cli::parse();
    let role = match &cli.command {
        Command::Serve { role } => *role,
        _ => None,
    };
    let config = Config::load(&cli.overrides, role)?;
    let tracing = ledgerbridge::telemetry::init_tracing(&config.log_format, &config.otlp_endpoint)?;
    let done = run(cli.command, config).await;
    tracing.shutdown().await;
    done
}

async fn run(command: Command, config: Config) -> Result<()> {
    match command {
        Command::Serve { .. } => serve(config).await,
        Command::Demo { size, seed } => demo::run(config, &size, &seed).await,
        Command::Simulate {
            platform:
                SimulatedPlatform::Xero {
                    port,
                    seed,
                    size,
                    client_id,
                    client_secret,
                },
        } => simulate_xero(port, &seed, &size, client_id, client_secret).await,
        Command::Simulate {
            platform:
                SimulatedPlatform::Quickbooks {
                    port,
                    seed,
                    size,
                    client_id,
                    client_secret,
                },
        } => simulate_quickbooks(port, &seed, &size, client_id, client_secret).await,
        Command::Migrate => {
            open_store(&config).await?;
            println!(
                "migrations applied to {}",
                config::redact_url(&config.database_url())
            );
            Ok(())
        }
        Command::ApiKeys { action } => api_keys(config, action).await,
        Command::Keys { action } => keys(config, action).await,
        Command::Backup { file } => backup(config, &file).await,
        Command::ConfigInfo {
            action: ConfigAction::Reference,
        } => {
            print!("{}", config::reference_markdown());
            Ok(())
        }
    }
}

async fn backup(config: Config, file: &std::path::Path) -> Result<()> {
    if config.is_postgres() {
        anyhow::bail!(
            "`ledgerbridge backup` copies the embedded SQLite database; back PostgreSQL up with \
             pg_dump (see docs/deploy.md)"
        );
    }
    if file.exists() {
        anyhow::bail!("{} already exists; name a new file", file.display());
    }
    if config.database_url.is_empty() && !config.data_dir.join("ledgerbridge.db").exists() {
        anyhow::bail!(
            "no database at {}; point --data-dir at the server's data directory",
            config.data_dir.join("ledgerbridge.db").display()
        );
    }
    // No migrations: the running server owns the schema; this only reads.
    let store = ledgerbridge_store::Store::connect(&config.database_url()).await?;
    let done = store.backup_to(file).await;
    store.close().await;
    done?;
    println!(
        "backed up {} to {}",
        config::redact_url(&config.database_url()),
        file.display()
    );
    println!(
        "Credentials in it are sealed by the master key: keep {} (or LEDGERBRIDGE_MASTER_KEY) \
         safe, apart from the backup; a restore needs both.",
        config.data_dir.join(ledgerbridge::keys::KEY_FILE).display()
    );
    Ok(())
}

async fn serve(config: Config) -> Result<()> {
    let role = config.role;
    let app = Application::build(config).await?;
    let url = app.public_url().to_string();
    println!(
        "ledgerbridge listening on http://{} (role: {role:?})",
        app.local_addr()
    );
    if let Some(key) = &app.generated_api_key {
        println!();
        println!("  First start: created an API key. It is shown only this once; store it now:");
        println!("    {key}");
        println!();
    }
    if role != Role::Worker {
        let key_hint = app.generated_api_key.as_deref().unwrap_or("YOUR_API_KEY");
        println!("  API docs:   {url}/docs   (OpenAPI: {url}/openapi.json)");
        println!("  Try it:");
        println!(
            "    curl -s -X POST {url}/companies -H \"Authorization: Basic $(printf %s '{key_hint}' | base64)\" \
             -H 'Content-Type: application/json' -d '{{\"name\":\"Platypus Properties\",\"platformType\":\"mqjo\"}}'"
        );
    }
    app.run_until_stopped(shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutdown requested; draining requests");
}

async fn simulate_xero(
    port: u16,
    seeds: &[String],
    size: &str,
    client_id: String,
    client_secret: String,
) -> Result<()> {
    use ledgerbridge_fakes::xero::{Seed, SimOptions, Size, TenantOptions, XeroSim};
    let size: Size = size
        .parse()
        .map_err(|_| anyhow::anyhow!("--size must be small, medium or large, not `{size}`"))?;
    let options = SimOptions {
        addr: std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        client_id,
        client_secret,
        tenants: seeds
            .iter()
            .map(|s| TenantOptions::new(Seed::from_text(s), size))
            .collect(),
        ..SimOptions::default()
    };
    println!(
        "generating {} organisation(s) ({size})...",
        options.tenants.len()
    );
    let sim = XeroSim::start(options)
        .await
        .map_err(|e| anyhow::anyhow!("cannot start the Xero simulator on port {port}: {e}"))?;
    let base = sim.base_url();
    println!("Xero simulator listening on {base}");
    for org in sim.organisations() {
        println!("  organisation {} ({})", org.name, org.tenant_id);
    }
    println!("Point ledgerbridge at it:");
    println!("  LEDGERBRIDGE_XERO_CLIENT_ID={}", sim.client_id());
    println!("  LEDGERBRIDGE_XERO_CLIENT_SECRET={}", sim.client_secret());
    println!("  LEDGERBRIDGE_XERO_AUTHORIZE_URL={}", sim.authorize_url());
    println!("  LEDGERBRIDGE_XERO_TOKEN_URL={}", sim.token_url());
    println!("  LEDGERBRIDGE_XERO_API_URL={}", sim.api_url());
    shutdown_signal().await;
    Ok(())
}

async fn simulate_quickbooks(
    port: u16,
    seeds: &[String],
    size: &str,
    client_id: String,
    client_secret: String,
) -> Result<()> {
    use ledgerbridge_fakes::quickbooks::{QuickBooksSim, Seed, SimOptions, Size, TenantOptions};
    let size: Size = size
        .parse()
        .map_err(|_| anyhow::anyhow!("--size must be small, medium or large, not `{size}`"))?;
    let options = SimOptions {
        addr: std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        client_id,
        client_secret,
        companies: seeds
            .iter()
            .map(|s| TenantOptions::new(Seed::from_text(s), size))
            .collect(),
        ..SimOptions::default()
    };
    println!(
        "generating {} company(ies) ({size})...",
        options.companies.len()
    );
    let sim = QuickBooksSim::start(options).await.map_err(|e| {
        anyhow::anyhow!("cannot start the QuickBooks simulator on port {port}: {e}")
    })?;
    println!("QuickBooks simulator listening on {}", sim.base_url());
    for company in sim.companies() {
        println!("  company {} (realmId {})", company.name, company.realm_id);
    }
    println!("Point ledgerbridge at it:");
    println!("  LEDGERBRIDGE_QUICKBOOKS_CLIENT_ID={}", sim.client_id());
    println!(
        "  LEDGERBRIDGE_QUICKBOOKS_CLIENT_SECRET={}",
        sim.client_secret()
    );
    println!(
        "  LEDGERBRIDGE_QUICKBOOKS_AUTHORIZE_URL={}",
        sim.authorize_url()
    );
    println!("  LEDGERBRIDGE_QUICKBOOKS_TOKEN_URL={}", sim.token_url());
    println!("  LEDGERBRIDGE_QUICKBOOKS_API_URL={}", sim.api_url());
    shutdown_signal().await;
    Ok(())
}

async fn api_keys(config: Config, action: ApiKeyAction) -> Result<()> {
    let store = open_store(&config).await?;
    match action {
        ApiKeyAction::Create { name } => {
            let (row, key) = new_api_key(name);
            store.insert_api_key(&row).await?;
            println!("id:  {}\nkey: {key}\n(shown only once)", row.id);
        }
        ApiKeyAction::List => {
            for k in store.list_api_keys().await? {
                println!(
                    "{}  {}  {}  {}",
                    k.id,
                    k.masked,
                    k.created,
                    k.name.unwrap_or_default()
                );
            }
        }
        ApiKeyAction::Delete { id } => {
            let id = id
                .parse()
                .map_err(|_| anyhow::anyhow!("`{id}` is not an API key id (a UUID)"))?;
            if store.delete_api_key(id).await? {
                println!("deleted {id}");
            } else {
                anyhow::bail!("no API key with id {id}");
            }
        }
    }
    store.close().await;
    Ok(())
}

async fn keys(config: Config, action: KeyAction) -> Result<()> {
    match action {
        KeyAction::Generate => println!("{}", ledgerbridge::keys::generate()),
        KeyAction::Rotate => {
            let store = open_store(&config).await?;
            let r = ledgerbridge::keys::rotate(&config, &store).await?;
            if r.new_key {
                println!(
                    "generated key {} at the top of {}",
                    r.key_id,
                    config.data_dir.join(ledgerbridge::keys::KEY_FILE).display()
                );
            }
            println!(
                "re-encrypted {} credential(s) under key {}",
                r.resealed, r.key_id
            );
            store.close().await;
            if r.unreadable > 0 {
                anyhow::bail!(
                    "{} credential(s) are sealed by a key that is not loaded; add it to \
                     LEDGERBRIDGE_PREVIOUS_MASTER_KEYS (or the key file) and run again",
                    r.unreadable
                );
            }
        }
    }
    Ok(())
}
