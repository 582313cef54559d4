//! The job queue and mail pipeline against real parts: fang workers on SQLite and
//! PostgreSQL, and a real SMTP server over TCP.

use crate::common::{start_smtp_sink, wait_for, Backend, TestEnv};
use fullstack_ws::entities::outbox_mail;
use fullstack_ws::jobs::housekeeping::reconcile_outbox;
use fullstack_ws::jobs::{self, Workers};
use fullstack_ws::jobs::{send_mail, SendMail};
use fullstack_ws::services::effects::{run_once, run_once_recorded, Outcome, RunOnceError};
use fullstack_ws::services::mail::{self, Email};
use sea_orm::{ConnectionTrait, EntityTrait, TransactionTrait};
use std::sync::{
    atomic::{AtomicUsize, Ordering},
    Arc,
};
use std::time::Duration;

const LEASE: Duration = Duration::from_secs(60);

async fn run_once_runs_an_effect_once_under_concurrency(backend: Backend) {
    let env = TestEnv::new(backend, &[]).await;
    let runs = Arc::new(AtomicUsize::new(0));
    let attempt = |runs: Arc<AtomicUsize>, db: sea_orm::DatabaseConnection| async move {
        run_once(&db, "test:concurrent", LEASE, || async move {
            runs.fetch_add(1, Ordering::SeqCst);
            tokio::task::yield_now().await;
            Ok::<(), String>(())
        })
        .await
    };
    let results =
        futures_like_join((0..8).map(|_| tokio::spawn(attempt(runs.clone(), env.db().clone()))).collect())
            .await;
    assert_eq!(runs.load(Ordering::SeqCst), 1, "the effect ran more than once");
    let ran = results.iter().filter(|r| matches!(r, Ok(Outcome::Ran))).count();
    assert_eq!(ran, 1);
    assert!(results.iter().all(|r| matches!(r, Ok(_) | Err(RunOnceError::Busy(_)))));
    // Later calls see it done.
    let again = attempt(runs.clone(), env.db().clone()).await.unwrap();
    assert_eq!(again, Outcome::AlreadyDone);
    assert_eq!(runs.load(Ordering::SeqCst), 1);
}

async fn futures_like_join<T>(handles: Vec<tokio::task::JoinHandle<T>>) -> Vec<T> {
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

async fn run_once_releases_on_failure_and_takes_over_stale_claims(backend: Backend) {
    let env = TestEnv::new(backend, &[]).await;
    let db = env.db();
    let failed = run_once(db, "test:flaky", LEASE, || async { Err::<(), _>("smtp down") }).await;
    assert!(matches!(failed, Err(RunOnceError::Effect("smtp down"))));
    let retried = run_once(db, "test:flaky", LEASE, || async { Ok::<(), &str>(()) }).await.unwrap();
    assert_eq!(retried, Outcome::Ran);

    // A claim whose holder died: busy within the lease, taken over after it.
    let stale = chrono::Utc::now() - chrono::Duration::seconds(120);
    fullstack_ws::entities::effect_claim::Entity::insert(fullstack_ws::entities::effect_claim::ActiveModel {
        key: sea_orm::Set("test:abandoned".into()),
        claimed_at: sea_orm::Set(stale),
        done_at: sea_orm::Set(None),
    })
    .exec_without_returning(db)
    .await
    .unwrap();
    let busy =
        run_once(db, "test:abandoned", Duration::from_secs(600), || async { Ok::<(), String>(()) }).await;
    assert!(matches!(busy, Err(RunOnceError::Busy(_))));
    let taken = run_once(db, "test:abandoned", LEASE, || async { Ok::<(), String>(()) }).await.unwrap();
    assert_eq!(taken, Outcome::Ran);
}

/// The chaos run's duplicate mail: the SMTP server accepted a message, then the database
/// restarted before the outbox said "sent". The record is now retried until the database
/// answers, so the claim ends done and nobody sends the message again after the lease.
async fn an_effect_is_recorded_even_when_the_database_blinks(backend: Backend) {
    let env = TestEnv::new(backend, &[]).await;
    let db = env.db();
    let (ran, records) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let outcome = run_once_recorded(
        db,
        "test:blink",
        LEASE,
        || async {
            ran.fetch_add(1, Ordering::SeqCst);
            Ok::<(), String>(())
        },
        // The first record fails, as a statement cut off by a restarting server would.
        || {
            let sql = match records.fetch_add(1, Ordering::SeqCst) {
                0 => "UPDATE no_such_table SET gone = 1",
                _ => "SELECT 1",
            };
            Some(sea_orm::Statement::from_string(db.get_database_backend(), sql))
        },
    )
    .await
    .unwrap();
    assert_eq!(outcome, Outcome::Ran);
    assert_eq!(records.load(Ordering::SeqCst), 2, "recorded on the second try");
    // Even once any lease has run out, the effect is done: it does not run again.
    let again = run_once(db, "test:blink", Duration::ZERO, || async {
        ran.fetch_add(1, Ordering::SeqCst);
        Ok::<(), String>(())
    })
    .await
    .unwrap();
    assert_eq!(again, Outcome::AlreadyDone);
    assert_eq!(ran.load(Ordering::SeqCst), 1);
}

fn email(to: &str) -> Email {
    Email {
        to: to.into(),
        subject: "Your order".into(),
        text: "Thanks for your order.".into(),
        html: "<p>Thanks for your <b>order</b>.</p>".into(),
        attachments: vec![mail::Attachment {
            filename: "invoice.txt".into(),
            content_type: "text/plain".into(),
            data: b"total: $12.34".to_vec(),
        }],
        invoice_of: None,
    }
}

async fn job_count(env: &TestEnv) -> i64 {
    let row = env
        .db()
        .query_one(sea_orm::Statement::from_string(
            env.db().get_database_backend(),
            "SELECT COUNT(*) AS n FROM fang_tasks",
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

async fn mail_goes_through_queue_to_a_real_smtp_server_once(backend: Backend) {
    let (port, received) = start_smtp_sink();
    let url = format!("smtp://127.0.0.1:{port}");
    let env = TestEnv::new(backend, &[("SMTP_URL", &url)]).await;
    let id = send_mail(&env.state.jobs, &email("ann@example.com")).await.unwrap();
    let workers = Workers::start(env.state.jobs.clone(), 2);

    let sent = wait_for(20, "mail sent", || async {
        outbox_mail::Entity::find_by_id(id).one(env.db()).await.unwrap().filter(|m| m.sent_at.is_some())
    })
    .await;
    assert_eq!(sent.attempts, 1);
    wait_for(10, "job removed", || async { (job_count(&env).await == 0).then_some(()) }).await;
    {
        let msgs = received.lock().unwrap();
        assert_eq!(msgs.len(), 1);
        let parsed = mail_parser::MessageParser::default().parse(&msgs[0]).unwrap();
        assert_eq!(parsed.subject(), Some("Your order"));
        assert_eq!(parsed.to().unwrap().first().unwrap().address(), Some("ann@example.com"));
        assert!(parsed.body_html(0).unwrap().contains("<b>order</b>"));
        assert_eq!(parsed.attachments().count(), 1);
    }

    // fang may deliver a job twice: a duplicate job must not send a second message.
    jobs::enqueue(&env.state.jobs.queue, &SendMail { mail_id: id }).await.unwrap();
    wait_for(10, "duplicate job processed", || async { (job_count(&env).await == 0).then_some(()) }).await;
    assert_eq!(received.lock().unwrap().len(), 1);
    workers.shutdown(Duration::from_secs(5)).await;
}

async fn failing_smtp_is_retried_and_recorded(backend: Backend) {
    // Nothing listens on this port: delivery fails and fang schedules a retry.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("smtp://127.0.0.1:{port}");
    let env = TestEnv::new(backend, &[("SMTP_URL", &url)]).await;
    let id = send_mail(&env.state.jobs, &email("bob@example.com")).await.unwrap();
    let workers = Workers::start(env.state.jobs.clone(), 1);
    let failed = wait_for(20, "failed attempt recorded", || async {
        outbox_mail::Entity::find_by_id(id).one(env.db()).await.unwrap().filter(|m| m.attempts >= 1)
    })
    .await;
    assert!(failed.sent_at.is_none());
    assert!(failed.last_error.is_some());
    workers.shutdown(Duration::from_secs(5)).await;
    // The job is still queued for a retry, not lost.
    assert_eq!(job_count(&env).await, 1);
}

async fn file_transport_writes_eml_for_the_dev_mailbox(backend: Backend) {
    let env = TestEnv::new(backend, &[]).await;
    let id = send_mail(&env.state.jobs, &email("cy@example.com")).await.unwrap();
    let workers = Workers::start(env.state.jobs.clone(), 1);
    wait_for(20, "mail written", || async {
        outbox_mail::Entity::find_by_id(id).one(env.db()).await.unwrap().and_then(|m| m.sent_at)
    })
    .await;
    workers.shutdown(Duration::from_secs(5)).await;
    let dir = &env.state.config.mail_dir;
    let list = mail::list_mailbox(dir).await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].subject, "Your order");
    assert_eq!(list[0].to, "cy@example.com");
    let detail = mail::read_mail(dir, &list[0].id).await.unwrap();
    assert_eq!(detail.attachments, ["invoice.txt"]);
    assert!(detail.text.unwrap().contains("Thanks for your order."));
    assert!(mail::read_mail(dir, "../../etc/passwd").await.is_err());
}

async fn reconciler_recovers_a_lost_enqueue(backend: Backend) {
    let env = TestEnv::new(backend, &[]).await;
    // Stored in the outbox, then its queued delivery was lost.
    let id = mail::queue(env.db(), env.state.jobs.mail_from(), &email("dee@example.com")).await.unwrap();
    env.lose_queued_tasks().await;
    assert_eq!(reconcile_outbox(&env.state.jobs).await.unwrap(), 0, "fresh rows are left alone");
    outbox_mail::Entity::update_many()
        .col_expr(
            outbox_mail::Column::EnqueuedAt,
            sea_orm::sea_query::Expr::value(chrono::Utc::now() - chrono::Duration::hours(1)),
        )
        .exec(env.db())
        .await
        .unwrap();
    assert_eq!(reconcile_outbox(&env.state.jobs).await.unwrap(), 1);
    let workers = Workers::start(env.state.jobs.clone(), 1);
    wait_for(20, "recovered mail sent", || async {
        outbox_mail::Entity::find_by_id(id).one(env.db()).await.unwrap().and_then(|m| m.sent_at)
    })
    .await;
    workers.shutdown(Duration::from_secs(5)).await;
}

async fn a_mail_is_queued_with_its_change_and_not_without_it(backend: Backend) {
    let env = TestEnv::new(backend, &[]).await;
    let from = env.state.jobs.mail_from();
    // Rolled back: neither the message nor its delivery exists.
    let txn = env.db().begin().await.unwrap();
    mail::queue(&txn, from, &email("rolled@example.com")).await.unwrap();
    txn.rollback().await.unwrap();
    assert_eq!(outbox_mail::Entity::find().all(env.db()).await.unwrap().len(), 0);
    assert!(env.queued_tasks().await.is_empty(), "a rolled-back change queues nothing");
    // Committed: the delivery is queued with it, before any worker runs.
    let txn = env.db().begin().await.unwrap();
    let id = mail::queue(&txn, from, &email("kept@example.com")).await.unwrap();
    txn.commit().await.unwrap();
    let tasks = env.queued_tasks().await;
    assert_eq!(tasks.len(), 1);
    let task: serde_json::Value = serde_json::from_str(&tasks[0]).unwrap();
    assert_eq!(task, serde_json::json!({"type": "SendMail", "mail_id": id.to_string()}));
    // fang's own workers run the row written in the transaction.
    let workers = Workers::start(env.state.jobs.clone(), 1);
    wait_for(20, "the queued mail sent", || async {
        outbox_mail::Entity::find_by_id(id).one(env.db()).await.unwrap().and_then(|m| m.sent_at)
    })
    .await;
    workers.shutdown(Duration::from_secs(5)).await;
}

/// A worker claimed the mail's task and was killed: fang leaves it `in_progress` forever.
/// Housekeeping puts it back after its lease, and a live worker delivers it.
async fn a_killed_workers_task_is_picked_up_again(backend: Backend) {
    let env = TestEnv::new(backend, &[]).await;
    let id = mail::queue(env.db(), env.state.jobs.mail_from(), &email("eve@example.com")).await.unwrap();
    let claim = |at: chrono::DateTime<chrono::Utc>| {
        use sea_orm::sea_query::{Alias, Expr, Query};
        Query::update()
            .table(Alias::new("fang_tasks"))
            .value(Alias::new("state"), Expr::cust("'in_progress'"))
            .value(Alias::new("updated_at"), at)
            .to_owned()
    };
    let backend_kind = env.db().get_database_backend();
    env.db().execute(backend_kind.build(&claim(chrono::Utc::now()))).await.unwrap();
    let lease = env.state.jobs.config.job_lease;
    assert_eq!(
        fullstack_ws::infra::queue::requeue_abandoned(env.db(), lease).await.unwrap(),
        0,
        "a task still within its lease is left to its worker"
    );
    env.db()
        .execute(backend_kind.build(&claim(chrono::Utc::now() - chrono::Duration::minutes(10))))
        .await
        .unwrap();
    fullstack_ws::jobs::housekeeping(&env.state.jobs).await;
    let workers = Workers::start(env.state.jobs.clone(), 1);
    wait_for(20, "the abandoned mail delivered", || async {
        outbox_mail::Entity::find_by_id(id).one(env.db()).await.unwrap().and_then(|m| m.sent_at)
    })
    .await;
    workers.shutdown(Duration::from_secs(5)).await;
}

/// Workers claim tasks in one statement: two claiming at once never get the same task,
/// only due tasks are claimed, and a batch is removed (or put back) in one statement.
async fn concurrent_claims_never_share_a_task(backend: Backend) {
    use fullstack_ws::infra::queue;
    let env = TestEnv::new(backend, &[]).await;
    let txn = env.db().begin().await.unwrap();
    for i in 0..40 {
        queue::enqueue_in(&txn, &SendMail { mail_id: uuid::Uuid::from_u128(i) }).await.unwrap();
    }
    txn.commit().await.unwrap();
    let later = fullstack_ws::services::tasks::SendMail { mail_id: uuid::Uuid::from_u128(99) };
    jobs::enqueue(&env.state.jobs.queue, &later).await.unwrap();
    let scheduled = chrono::Utc::now() + chrono::Duration::hours(1);
    env.db()
        .execute(
            env.db().get_database_backend().build(
                &sea_orm::sea_query::Query::update()
                    .table(sea_orm::sea_query::Alias::new("fang_tasks"))
                    .value(sea_orm::sea_query::Alias::new("scheduled_at"), scheduled)
                    .and_where(sea_orm::sea_query::Expr::cust(
                        if env.db().get_database_backend() == sea_orm::DbBackend::Postgres {
                            "metadata::text LIKE '%0000000063%'"
                        } else {
                            "metadata LIKE '%0000000063%'"
                        },
                    ))
                    .to_owned(),
            ),
        )
        .await
        .unwrap();
    let claimers: Vec<_> = (0..4)
        .map(|_| {
            let db = env.db().clone();
            tokio::spawn(async move {
                let mut mine = Vec::new();
                loop {
                    let batch = queue::claim(&db, queue::CLAIM_BATCH).await.unwrap();
                    if batch.is_empty() {
                        break mine;
                    }
                    assert!(batch.len() as u64 <= queue::CLAIM_BATCH);
                    mine.extend(batch.into_iter().map(|t| t.id));
                }
            })
        })
        .collect();
    let mut claimed: Vec<uuid::Uuid> = futures_like_join(claimers).await.into_iter().flatten().collect();
    let all = claimed.len();
    claimed.sort();
    claimed.dedup();
    assert_eq!((all, claimed.len()), (40, 40), "every due task claimed once, the later one not at all");
    queue::release(env.db(), &claimed[..10]).await.unwrap();
    assert_eq!(queue::claim(env.db(), 100).await.unwrap().len(), 10, "released tasks are claimed again");
    queue::remove_done(env.db(), &claimed).await.unwrap();
    assert_eq!(job_count(&env).await, 1, "only the task that is not due yet is left");
}

/// On PostgreSQL a queued task is announced to workers in every process (`NOTIFY`), when
/// the transaction that queued it commits.
#[tokio::test]
async fn queued_work_is_announced_to_other_processes_on_commit() {
    let env = TestEnv::new(Backend::Postgres, &[]).await;
    let mut listener = sqlx::postgres::PgListener::connect(&env.state.config.database_url).await.unwrap();
    listener.listen("fang_tasks").await.unwrap();
    let txn = env.db().begin().await.unwrap();
    fullstack_ws::infra::queue::enqueue_in(&txn, &SendMail { mail_id: uuid::Uuid::new_v4() }).await.unwrap();
    txn.commit().await.unwrap();
    let heard = tokio::time::timeout(Duration::from_secs(10), listener.recv()).await.expect("announced");
    assert_eq!(heard.unwrap().channel(), "fang_tasks");
}

on_both_backends!(
    concurrent_claims_never_share_a_task,
    a_killed_workers_task_is_picked_up_again,
    a_mail_is_queued_with_its_change_and_not_without_it,
    run_once_runs_an_effect_once_under_concurrency,
    run_once_releases_on_failure_and_takes_over_stale_claims,
    an_effect_is_recorded_even_when_the_database_blinks,
    mail_goes_through_queue_to_a_real_smtp_server_once,
    failing_smtp_is_retried_and_recorded,
    file_transport_writes_eml_for_the_dev_mailbox,
    reconciler_recovers_a_lost_enqueue,
);
