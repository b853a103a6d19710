//! The real `ledgerbridge` binary as a child process: for what only a process shows
//! (signals, log lines, a second process reading the database).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_ledgerbridge");

/// A free port on 127.0.0.1.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// `ledgerbridge` with no inherited `LEDGERBRIDGE_*` settings, its data in `dir`.
pub fn command(dir: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    for (k, _) in std::env::vars() {
        if k.starts_with("LEDGERBRIDGE_") {
            cmd.env_remove(k);
        }
    }
    cmd.current_dir(dir)
        .env("RUST_LOG", "info")
        .arg("--data-dir")
        .arg(dir.join("data"));
    cmd
}

/// A running `ledgerbridge serve`, its stderr (the log) in a file.
pub struct Server {
    pub child: Child,
    pub base: String,
    pub log: PathBuf,
    pub data_dir: PathBuf,
}

impl Server {
    /// Starts `serve` with `cmd` (from [`command`]) on a free port and waits for `/health`.
    pub async fn start(mut cmd: Command, dir: &Path) -> Self {
        let port = free_port();
        let log = dir.join(format!("server-{port}.log"));
        let child = cmd
            .arg("serve")
            .arg("--addr")
            .arg(format!("127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("log file"))
            .spawn()
            .expect("spawn ledgerbridge");
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(r) = reqwest::get(format!("{base}/health")).await
                && r.status().is_success()
            {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "server did not start: {}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Self {
            child,
            base,
            log,
            data_dir: dir.join("data"),
        }
    }

    /// The SQLite database URL of the server.
    pub fn database_url(&self) -> String {
        format!(
            "sqlite://{}",
            self.data_dir.join("ledgerbridge.db").display()
        )
    }

    /// Sends SIGTERM.
    pub fn terminate(&self) {
        let ok = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill")
            .success();
        assert!(ok, "SIGTERM sent");
    }

    /// Waits up to `within` for the process to exit; its exit status.
    pub async fn wait_exit(&mut self, within: Duration) -> std::process::ExitStatus {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "server did not exit within {within:?}: {}",
                self.log_text()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Everything logged so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
