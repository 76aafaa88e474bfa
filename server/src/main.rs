use clap::Parser;
use tracing_subscriber::EnvFilter;

use leasehold::cli::{run_admin, Cli, Command};
use leasehold::config::Config;
use leasehold::startup;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let _ = dotenvy::dotenv();
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")))
        .init();
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("leasehold: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    let config = Config::from_env(cli.overrides()).map_err(|e| e.to_string())?;
    match cli.command {
        None | Some(Command::Serve { .. }) => {
            let services = startup::services(&config).await.map_err(|e| e.to_string())?;
            let listener = tokio::net::TcpListener::bind(config.addr)
                .await
                .map_err(|e| format!("cannot listen on {}: {e}", config.addr))?;
            let services = std::sync::Arc::new(services);
            leasehold::worker::spawn(services.clone());
            let router = startup::router(&config, services);
            println!("Leasehold is serving on http://{}", config.addr);
            startup::serve(listener, router, startup::shutdown_signal()).await.map_err(|e| e.to_string())
        }
        Some(Command::Migrate) => {
            leasehold::db::connect_and_migrate(&config.database_url).await.map_err(|e| e.to_string())?;
            println!("migrations applied");
            Ok(())
        }
        Some(Command::Admin { task }) => {
            let done = run_admin(&config, task).await.map_err(|e| app::error::AppError::from(e).message)?;
            println!("{done}");
            Ok(())
        }
    }
}
