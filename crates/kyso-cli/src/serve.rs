//! `kyso serve --config FILE`: the portal service (kyso-server: verification, deferred signing,
//! the seal, the upload page) until SIGINT or SIGTERM, then the requests in flight are finished.

use std::path::PathBuf;

use clap::Args;

use crate::error::CliError;

/// Arguments of `kyso serve`.
#[derive(Args, Debug)]
pub struct ServeArgs {
    /// The TOML configuration (smallest: `listen`, `trust`, `state_key_file`; every setting
    /// is documented in crates/kyso-server/README.md).
    #[arg(long)]
    pub config: PathBuf,
}

/// Runs the service; prints `listening on http://ADDR` on standard error once bound.
pub fn run(args: &ServeArgs) -> Result<(), CliError> {
    let config = kyso_server::Config::from_file(&args.config).map_err(CliError::Serve)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            CliError::Serve(kyso_server::Error::Io {
                context: "cannot start the runtime".into(),
                source: e,
            })
        })?;
    runtime
        .block_on(async {
            let server = kyso_server::Server::bind(&config).await?;
            eprintln!("listening on http://{}", server.local_addr()?);
            server.serve(shutdown_signal()).await
        })
        .map_err(CliError::Serve)
}

/// Completes on SIGINT or SIGTERM (what a container runtime sends before it stops a replica).
async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = interrupt.await;
                    return;
                }
            };
        tokio::select! {
            _ = interrupt => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
}
