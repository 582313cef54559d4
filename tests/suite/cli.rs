//! The `fullstack-ws` binary as an operator uses it: help, configuration errors, migrate,
//! seed, and `send-test-mail` through the job queue to a real SMTP server.
use crate::common;

use std::process::{Command, Output};

fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_fullstack-ws"));
    cmd.args(args).env_clear().env("PATH", std::env::var("PATH").unwrap_or_default()).env("RUST_LOG", "warn");
    for (k, v) in env {
        cmd.env(k, v);
    }
    // No .env is read from here: run inside a temp dir.
    let dir = temp_dir::TempDir::new().unwrap();
    cmd.current_dir(dir.path()).output().expect("binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn help_lists_every_command() {
    let out = run(&["--help"], &[]);
    assert!(out.status.success());
    let help = text(&out.stdout);
    for cmd in ["serve", "worker", "migrate", "seed", "send-test-mail", "create-admin"] {
        assert!(help.contains(cmd), "{cmd} missing from:\n{help}");
    }
    let sub = run(&["send-test-mail", "--help"], &[]);
    assert!(text(&sub.stdout).contains("--to <EMAIL>"));
}

#[test]
fn bad_configuration_fails_with_one_line_per_variable() {
    let out = run(&["migrate"], &[("WORKERS", "many"), ("DATABASE_URL", "mysql://nope")]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("configuration error"), "{err}");
    assert_eq!(err.lines().filter(|l| l.starts_with("WORKERS:")).count(), 1, "{err}");
    assert_eq!(err.lines().filter(|l| l.starts_with("DATABASE_URL:")).count(), 1, "{err}");
}

/// `LEPTOS_ENV=PROD` refuses to serve without real mail, real Stripe and https, naming
/// each missing variable on its own line, and before touching the database.
#[test]
fn production_refuses_to_start_without_its_safeguards() {
    let dir = temp_dir::TempDir::new().unwrap();
    let url = format!("sqlite://{}/prod.db?mode=rwc", dir.path().display());
    let out = run(&["serve"], &[("LEPTOS_ENV", "PROD"), ("DATABASE_URL", url.as_str())]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    for key in ["SMTP_URL", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "SITE_URL"] {
        assert_eq!(err.lines().filter(|l| l.starts_with(&format!("{key}:"))).count(), 1, "{key}: {err}");
    }
    assert!(!dir.path().join("prod.db").exists(), "nothing started");
}

#[test]
fn unknown_command_fails() {
    let out = run(&["frobnicate"], &[]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("unrecognized subcommand"));
}

#[test]
fn migrate_and_seed_are_idempotent() {
    let dir = temp_dir::TempDir::new().unwrap();
    let url = format!("sqlite://{}/cli.db?mode=rwc", dir.path().display());
    let env = [("DATABASE_URL", url.as_str())];
    for _ in 0..2 {
        let out = run(&["migrate"], &env);
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    let first = run(&["seed"], &env);
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert!(text(&first.stdout).contains("6 categories, 48 products, 1 coupons added"));
    assert!(text(&first.stdout).contains("16 demo orders added"), "{}", text(&first.stdout));
    let second = run(&["seed"], &env);
    assert!(text(&second.stdout).contains("0 categories, 0 products, 0 coupons added"));
    assert!(text(&second.stdout).contains(", 0 demo orders added"), "{}", text(&second.stdout));
}

#[test]
fn send_test_mail_delivers_over_smtp() {
    let (port, received) = common::start_smtp_sink();

    let dir = temp_dir::TempDir::new().unwrap();
    let url = format!("sqlite://{}/mail.db?mode=rwc", dir.path().display());
    let smtp = format!("smtp://127.0.0.1:{port}");
    let out =
        run(&["send-test-mail", "--to", "ops@example.com"], &[("DATABASE_URL", &url), ("SMTP_URL", &smtp)]);
    assert!(out.status.success(), "stderr: {}", text(&out.stderr));
    assert!(text(&out.stdout).contains("sent to ops@example.com by SMTP"));
    let messages = received.lock().unwrap();
    assert_eq!(messages.len(), 1);
    let raw = text(&messages[0]);
    assert!(raw.contains("Subject: Test message from fullstack-ws"), "{raw}");

    let bad =
        run(&["send-test-mail", "--to", "not-an-address"], &[("DATABASE_URL", &url), ("SMTP_URL", &smtp)]);
    assert!(!bad.status.success());
    assert!(text(&bad.stderr).contains("--to"));
}

#[test]
fn create_admin_creates_then_promotes() {
    let dir = temp_dir::TempDir::new().unwrap();
    let url = format!("sqlite://{}/admin.db?mode=rwc", dir.path().display());
    let db = [("DATABASE_URL", url.as_str())];
    let with_password = [("DATABASE_URL", url.as_str()), ("ADMIN_PASSWORD", "a long admin secret")];

    let created = run(&["create-admin", "--email", "Boss@Example.com"], &with_password);
    assert!(created.status.success(), "{}", text(&created.stderr));
    assert!(text(&created.stdout).contains("created admin"));
    let again = run(&["create-admin", "--email", "boss@example.com"], &db);
    assert!(again.status.success(), "an existing admin needs no password: {}", text(&again.stderr));
    assert!(text(&again.stdout).contains("already an admin"));

    // A weak password, a bad address, or no password and no terminal: clear errors.
    let weak = run(
        &["create-admin", "--email", "new@example.com"],
        &[("DATABASE_URL", &url), ("ADMIN_PASSWORD", "password")],
    );
    assert!(!weak.status.success());
    assert!(text(&weak.stderr).contains("password:"), "{}", text(&weak.stderr));
    let bad = run(&["create-admin", "--email", "nope"], &with_password);
    assert!(!bad.status.success());
    assert!(text(&bad.stderr).contains("email:"), "{}", text(&bad.stderr));
    let no_tty = run(&["create-admin", "--email", "new@example.com"], &db);
    assert!(!no_tty.status.success());
    assert!(text(&no_tty.stderr).contains("password"), "{}", text(&no_tty.stderr));
}

/// Minimal HTTP/1.1 GET over a plain TCP socket; returns the status line's code.
fn http_status(port: u16, path: &str) -> Option<u16> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    write!(stream, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").ok()?;
    let mut reply = String::new();
    stream.read_to_string(&mut reply).ok()?;
    reply.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn serve_logs_json_requests_and_stops_gracefully_on_sigterm() {
    let dir = temp_dir::TempDir::new().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let addr = format!("127.0.0.1:{port}");
    let url = format!("sqlite://{}/serve.db?mode=rwc", dir.path().display());
    let mail_dir = dir.path().join("mail").display().to_string();
    let mut child = Command::new(env!("CARGO_BIN_EXE_fullstack-ws"))
        .arg("serve")
        .env_clear()
        .envs([
            ("DATABASE_URL", url.as_str()),
            ("LEPTOS_SITE_ADDR", addr.as_str()),
            ("MAIL_DIR", mail_dir.as_str()),
            ("LOG_FORMAT", "json"),
            ("RUST_LOG", "info"),
        ])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while http_status(port, "/readyz") != Some(200) {
        assert!(std::time::Instant::now() < deadline, "server never became ready");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(http_status(port, "/healthz"), Some(200));
    assert_eq!(http_status(port, "/api/v1/products/x"), Some(400));
    // A reset link's token is in its path.
    assert_eq!(http_status(port, "/password-reset/secret-token-in-path"), Some(200));

    let kill = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(kill.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "exit status {status:?}");

    let mut logs = String::new();
    std::io::Read::read_to_string(child.stdout.as_mut().unwrap(), &mut logs).unwrap();
    let lines: Vec<serde_json::Value> = logs
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let request = lines
        .iter()
        .find(|l| l["status"] == 400)
        .unwrap_or_else(|| panic!("no response log for the 400 in:\n{logs}"));
    // The route's template, never the path (paths can carry tokens).
    assert_eq!(request["span"]["route"], "/api/v1/products/{id}");
    assert!(!logs.contains("/api/v1/products/x"), "the raw path is not logged");
    assert!(!logs.contains("secret-token-in-path"), "tokens never reach the log");
    assert_eq!(request["span"]["method"], "GET");
    assert!(request["latency_ms"].is_number());
    assert!(lines.iter().any(|l| l["message"] == "stopped"));
}
