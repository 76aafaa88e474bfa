//! The `leasehold` command line.
use std::io::Read;
use std::path::PathBuf;

use clap::{Parser, Subcommand};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter};

use app::dto::Plan;
use app::error::AppError;

use crate::config::{Config, Overrides};
use crate::db::entities::orgs;
use crate::domain::{Email, Name, Password};
use crate::error::{Result, ServerError};
use crate::services::Services;

#[derive(Parser)]
#[command(name = "leasehold", version, about = "Self-hosted secrets console with dynamic secrets")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Serve the console and the API (the default).
    Serve {
        /// Address to listen on (overrides LEASEHOLD_ADDR).
        #[arg(long)]
        addr: Option<String>,
        /// Data directory (overrides LEASEHOLD_DATA_DIR).
        #[arg(long)]
        data_dir: Option<PathBuf>,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Administration tasks.
    Admin {
        #[command(subcommand)]
        task: AdminTask,
    },
}

#[derive(Subcommand)]
pub enum AdminTask {
    /// Create an account; the password is read from standard input.
    CreateUser {
        #[arg(long)]
        email: String,
        /// Display name (defaults to the part of the e-mail before the @).
        #[arg(long)]
        name: Option<String>,
        /// Required: the password comes from stdin, never from arguments.
        #[arg(long, required = true)]
        password_stdin: bool,
        #[arg(long)]
        instance_admin: bool,
    },
    /// Set an organisation's plan.
    SetPlan {
        /// The organisation's id or exact name.
        #[arg(long)]
        org: String,
        #[arg(long)]
        plan: String,
    },
}

impl Cli {
    pub fn overrides(&self) -> Overrides {
        match &self.command {
            Some(Command::Serve { addr, data_dir }) => Overrides { addr: addr.clone(), data_dir: data_dir.clone() },
            _ => Overrides::default(),
        }
    }
}

pub async fn run_admin(config: &Config, task: AdminTask) -> Result<String> {
    let services = crate::startup::services(config).await?;
    match task {
        AdminTask::CreateUser { email, name, instance_admin, .. } => {
            let mut pw = String::new();
            std::io::stdin().read_to_string(&mut pw).map_err(|e| ServerError::Internal(e.to_string()))?;
            let pw = Password::parse(pw.trim_end_matches(['\r', '\n']))?;
            let email = Email::parse(&email)?;
            let default_name = email.as_str().split('@').next().unwrap_or("user").to_string();
            let name = Name::parse(name.as_deref().unwrap_or(&default_name), "name")?;
            let user = services.create_user(&email, &name, &pw, instance_admin).await?;
            Ok(format!(
                "created {} ({}){}",
                user.email,
                user.id,
                if user.instance_admin { ", instance admin" } else { "" }
            ))
        }
        AdminTask::SetPlan { org, plan } => set_plan(&services, &org, &plan).await,
    }
}

async fn set_plan(services: &Services, org: &str, plan: &str) -> Result<String> {
    let plan: Plan = plan.parse()?;
    let by_id = orgs::Entity::find_by_id(org.to_string()).one(&services.db).await?;
    let row = match by_id {
        Some(o) => o,
        None => {
            let mut named = orgs::Entity::find().filter(orgs::Column::Name.eq(org)).all(&services.db).await?;
            match named.len() {
                1 => named.remove(0),
                0 => return Err(AppError::not_found("organisation").into()),
                n => return Err(AppError::conflict(format!("{n} organisations are named {org:?}; use the id.")).into()),
            }
        }
    };
    let (id, name) = (row.id.clone(), row.name.clone());
    let mut active = row.into_active_model();
    active.plan = Set(plan.as_str().to_string());
    active.update(&services.db).await?;
    Ok(format!("{name} ({id}) is now on the {plan} plan"))
}
