//! Command line: `fullstack-ws [serve|worker|migrate|seed|send-test-mail|create-admin|backup|restore]`.

use super::{server, telemetry};
use crate::entities::outbox_mail;
use crate::infra::{config::Config, db};
use crate::jobs as queue;
use crate::jobs::send_mail;
use crate::services::{mail::Email, seed};
use clap::{Parser, Subcommand};
use sea_orm::EntityTrait;
use std::time::{Duration, Instant};

#[derive(Debug, Parser)]
#[command(name = "fullstack-ws", version, about = "A web shop: catalog, cart, orders, payments, admin")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate, then serve HTTP with in-process job workers (the default).
    Serve,
    /// Run job workers only (at least one), for scaling out.
    Worker,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Load the demo catalog, coupon WELCOME10 and a paid order history (idempotent).
    Seed,
    /// Send a test message through the outbox, the job queue and the mail transport.
    SendTestMail {
        /// Recipient address.
        #[arg(long, value_name = "EMAIL")]
        to: String,
    },
    /// Create an admin account, or make an existing account an admin. The password of a
    /// new account comes from ADMIN_PASSWORD, or is asked for on the terminal.
    CreateAdmin {
        /// The admin's email address.
        #[arg(long, value_name = "EMAIL")]
        email: String,
    },
    /// Write a consistent copy of the live SQLite database to a new file and check it
    /// (safe while the shop runs). For PostgreSQL it explains pg_dump.
    Backup {
        /// The new file (it must not exist yet).
        #[arg(long, value_name = "PATH")]
        to: std::path::PathBuf,
    },
    /// Compare orders with the payment provider's Checkout Sessions (paid there but not
    /// here, paid here but not there, amounts that differ, refunds due); exits 1 when any
    /// mismatch is found. With the Stripe emulator the shop must be running.
    Reconcile {
        /// How many days back to look (orders paid, sessions created).
        #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=400))]
        days: u32,
    },
    /// Replace the SQLite database with a checked backup. Stop the shop first; the
    /// current file is kept beside it.
    Restore {
        /// A file written by `backup`.
        #[arg(long, value_name = "PATH")]
        from: std::path::PathBuf,
    },
}

/// Runs the command; the `Err` text is printed by `main` before a non-zero exit.
pub async fn run(cli: Cli) -> Result<(), String> {
    let config = Config::from_env().map_err(|e| format!("configuration error:\n{e}"))?;
    telemetry::init(config.log_format);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let state = server::build_state(config).await?;
            if state.config.seed_demo {
                let report = seed::seed(&state.db).await.map_err(|e| format!("seed: {e}"))?;
                let orders = seed::demo_orders(&state.db).await.map_err(|e| format!("seed: {e}"))?;
                tracing::info!(?report, orders, "demo catalog loaded");
            }
            server::serve(state).await
        }
        Command::Worker => server::work(server::build_state(config).await?).await,
        Command::Migrate => {
            let conn = db::connect(&config.database_url).await.map_err(|e| format!("database: {e}"))?;
            db::migrate(&conn).await.map_err(|e| format!("migrations: {e}"))?;
            crate::services::search::ensure_index(&conn).await.map_err(|e| format!("search index: {e}"))?;
            println!("migrations applied");
            Ok(())
        }
        Command::Seed => {
            let state = server::build_state(config).await?;
            let report = seed::seed(&state.db).await.map_err(|e| format!("seed: {e}"))?;
            let orders = seed::demo_orders(&state.db).await.map_err(|e| format!("seed: {e}"))?;
            println!(
                "seeded: {} categories, {} products, {} coupons added, {} translations added, {orders} demo orders added (existing rows kept)",
                report.categories_added,
                report.products_added,
                report.coupons_added,
                report.translations_added
            );
            Ok(())
        }
        Command::SendTestMail { to } => send_test_mail(config, to).await,
        Command::CreateAdmin { email } => create_admin(config, &email).await,
        Command::Backup { to } => backup(config, &to).await,
        Command::Restore { from } => restore(config, &from).await,
        Command::Reconcile { days } => reconcile(config, days).await,
    }
}

async fn reconcile(config: Config, days: u32) -> Result<(), String> {
    let state = server::build_state(config).await?;
    let provider = if state.stripe.emulated { "the Stripe emulator" } else { "Stripe" };
    let found = crate::flows::payments::reconcile(&state, days).await.map_err(|e| e.to_string())?;
    println!(
        "reconciled since {}: {} Checkout Sessions at {provider}, {} orders here",
        found.since.format("%Y-%m-%d %H:%M UTC"),
        found.sessions,
        found.orders
    );
    println!(
        "checked: each paid session has its paid order with the same amount; each paid order has its paid session; no money is owed back"
    );
    for mismatch in &found.mismatches {
        println!("MISMATCH {mismatch}");
    }
    match found.mismatches.len() {
        0 => {
            println!("0 mismatches");
            Ok(())
        }
        n => Err(format!("{n} mismatches")),
    }
}

async fn backup(config: Config, to: &std::path::Path) -> Result<(), String> {
    use crate::infra::backup;
    if !config.is_sqlite() {
        return Err(backup::POSTGRES_HOWTO.into());
    }
    let started = Instant::now();
    let conn = db::connect(&config.database_url).await.map_err(|e| format!("database: {e}"))?;
    let report = backup::backup_sqlite(&conn, to).await?;
    println!(
        "backed up to {} in {:.1} s: {} bytes, {} orders, {} accounts; integrity ok",
        to.display(),
        started.elapsed().as_secs_f64(),
        report.bytes,
        report.orders,
        report.users
    );
    println!("restore it with: fullstack-ws restore --from {} (with the shop stopped)", to.display());
    Ok(())
}

async fn restore(config: Config, from: &std::path::Path) -> Result<(), String> {
    use crate::infra::backup;
    if !config.is_sqlite() {
        return Err(backup::POSTGRES_HOWTO.into());
    }
    let target = backup::sqlite_file(&config.database_url)?;
    let (report, kept) = backup::restore_sqlite(from, &target).await?;
    println!(
        "restored {} from {}: {} orders, {} accounts",
        target.display(),
        from.display(),
        report.orders,
        report.users
    );
    if let Some(previous) = kept {
        println!("the previous database is kept as {}", previous.display());
    }
    println!("pending migrations (if the backup is older than this version) run at the next start");
    Ok(())
}

fn explain(e: crate::models::AppError) -> String {
    match e {
        crate::models::AppError::Validation(fields) => {
            fields.iter().map(|(field, why)| format!("{field}: {why}")).collect::<Vec<_>>().join("\n")
        }
        other => other.to_string(),
    }
}

async fn create_admin(config: Config, email: &str) -> Result<(), String> {
    use crate::services::accounts::{self, AdminOutcome};
    let state = server::build_state(config).await?;
    let existing = accounts::find_by_email(&state.db, email).await.map_err(explain)?;
    let password = match (existing, std::env::var("ADMIN_PASSWORD").ok().filter(|p| !p.is_empty())) {
        // An existing account keeps its password.
        (Some(_), _) => None,
        (None, Some(p)) => Some(p),
        (None, None) => {
            let first = rpassword::prompt_password("Password for the new admin: ")
                .map_err(|e| format!("password: {e}"))?;
            let again =
                rpassword::prompt_password("Repeat the password: ").map_err(|e| format!("password: {e}"))?;
            if first != again {
                return Err("the passwords do not match".into());
            }
            Some(first)
        }
    };
    let outcome = accounts::create_admin(&state.db, email, password.as_deref()).await.map_err(explain)?;
    match outcome {
        AdminOutcome::Created => println!("created admin {email}"),
        AdminOutcome::Promoted => println!("{email} is now an admin (password unchanged)"),
        AdminOutcome::AlreadyAdmin => println!("{email} is already an admin"),
    }
    Ok(())
}

async fn send_test_mail(config: Config, to: String) -> Result<(), String> {
    let state = server::build_state(config).await?;
    let email = Email {
        to: to.trim().to_owned(),
        subject: "Test message from fullstack-ws".into(),
        text: "If you can read this, mail from the shop works.".into(),
        html: "<p>If you can read this, <strong>mail from the shop works</strong>.</p>".into(),
        attachments: vec![],
        invoice_of: None,
    };
    let id = send_mail(&state.jobs, &email).await.map_err(|e| match e {
        crate::models::AppError::Validation(f) => {
            format!("--to: {}", f.values().cloned().collect::<Vec<_>>().join(", "))
        }
        other => other.to_string(),
    })?;
    println!("queued message {id}; delivering through the job queue…");
    let workers = queue::Workers::start(state.jobs.clone(), 1);
    let started = Instant::now();
    let result = loop {
        let row = outbox_mail::Entity::find_by_id(id).one(&state.db).await.map_err(|e| e.to_string())?;
        match row {
            Some(r) if r.sent_at.is_some() => break Ok(()),
            Some(r) if started.elapsed() > Duration::from_secs(60) => {
                break Err(format!(
                    "not delivered after 60 s ({} attempt(s); last error: {})",
                    r.attempts,
                    r.last_error.unwrap_or_else(|| "none".into())
                ))
            }
            None => break Err("message vanished from the outbox".into()),
            _ => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    };
    workers.shutdown(Duration::from_secs(5)).await;
    result?;
    match &state.config.smtp_url {
        Some(_) => println!("sent to {to} by SMTP in {:.1} s", started.elapsed().as_secs_f64()),
        None => println!(
            "written to {} (see /dev/mail) in {:.1} s",
            state.config.mail_dir.display(),
            started.elapsed().as_secs_f64()
        ),
    }
    Ok(())
}
