//! Generate: issue a lease and show its credentials, once.
use leptos::prelude::*;

use super::modal::Modal;
use super::{copy_text, dotenv, human_secs, parse_secs};
use crate::api::issue_lease;
use crate::components::{FormError, Time};
use crate::dto::IssuedLeaseDto;
use crate::error::AppError;

#[island]
pub fn GenerateLease(secret_id: String, secret_name: String, default_ttl: i64, max_ttl: i64) -> impl IntoView {
    let open = RwSignal::new(false);
    let name = RwSignal::new(String::new());
    let ttl = RwSignal::new(default_ttl.to_string());
    let issued = RwSignal::new(None::<IssuedLeaseDto>);
    let error = RwSignal::new(None::<AppError>);
    let hint_id = format!("ttl-hint-{secret_id}");
    let issue = Action::new(move |(name, ttl): &(String, i64)| {
        let (id, name, ttl) = (secret_id.clone(), name.clone(), *ttl);
        async move { issue_lease(id, name, Some(ttl)).await }
    });
    Effect::new(move |_| match issue.value().get() {
        // An answer that arrives after the dialog was closed is not kept: the page reloads.
        Some(Ok(lease)) if open.get_untracked() => {
            error.set(None);
            issued.set(Some(lease));
        }
        Some(Ok(_)) => {
            let _ = window().location().reload();
        }
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    // Closing forgets the credentials and shows the new lease in the page.
    Effect::new(move |was_open: Option<bool>| {
        let now_open = open.get();
        if was_open == Some(true) && !now_open && issued.get_untracked().is_some() {
            issued.set(None);
            let _ = window().location().reload();
        }
        now_open
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match parse_secs(&ttl.get()) {
            Some(t) if (1..=max_ttl).contains(&t) => {
                issue.dispatch((name.get().trim().to_string(), t));
            }
            _ => error.set(Some(AppError::bad_request(format!("The TTL must be from 1 to {max_ttl} seconds.")))),
        }
    };
    let choices: Vec<(String, i64)> = [(900, "15 min"), (3600, "1 h"), (86_400, "1 d")]
        .into_iter()
        .filter(|(s, _)| *s < max_ttl)
        .map(|(s, l)| (l.to_string(), s))
        .chain([(format!("Max ({})", human_secs(max_ttl)), max_ttl)])
        .collect();
    let title = format!("Generate {secret_name}");
    view! {
        <button type="button" class="small primary" aria-label=format!("Generate {secret_name}")
            on:click=move |_| {
                name.set(String::new());
                ttl.set(default_ttl.to_string());
                error.set(None);
                open.set(true);
            }>"Generate"</button>
        <Modal open title>
            {move || match issued.get() {
                Some(lease) => view! { <Issued lease open/> }.into_any(),
                None => view! {
                    <form class="form" aria-label="Generate" on:submit=submit>
                        <p class="hint">"Provide a name for the lease, a TTL in seconds, and click Generate."</p>
                        <label>"Lease name"
                            <input required maxlength="100" autocomplete="off" placeholder="e.g. ci-migrations"
                                prop:value=name on:input=move |ev| name.set(event_target_value(&ev))/>
                        </label>
                        <label>
                            <span>"TTL " <span class="muted">"(seconds)"</span></span>
                            <input type="number" min="1" max=max_ttl step="1" inputmode="numeric" required
                                aria-describedby=hint_id.clone()
                                prop:value=ttl on:input=move |ev| ttl.set(event_target_value(&ev))/>
                        </label>
                        <p class="hint" id=hint_id.clone() aria-live="polite">
                            {move || parse_secs(&ttl.get()).filter(|s| *s > 0).map(human_secs).unwrap_or_default()}
                            {format!(" · Max TTL {} ({max_ttl} s)", human_secs(max_ttl))}
                        </p>
                        <div class="chips" role="group" aria-label="Quick TTL choices">
                            {choices.iter().map(|(label, secs)| {
                                let secs = *secs;
                                view! {
                                    <button type="button" class="chip"
                                        aria-pressed=move || (parse_secs(&ttl.get()) == Some(secs)).to_string()
                                        on:click=move |_| ttl.set(secs.to_string())>{label.clone()}</button>
                                }
                            }).collect_view()}
                        </div>
                        <FormError value=Signal::derive(move || error.get().map(Err::<(), _>))/>
                        <div class="actions">
                            <button type="button" on:click=move |_| open.set(false)>"Cancel"</button>
                            <button type="submit" class="primary" disabled=move || issue.pending().get()>
                                {move || if issue.pending().get() { "Generating…" } else { "Generate" }}
                            </button>
                        </div>
                    </form>
                }.into_any(),
            }}
        </Modal>
    }
}

/// The credentials of a new lease, hidden until shown, with copy buttons.
#[component]
fn Issued(lease: IssuedLeaseDto, open: RwSignal<bool>) -> impl IntoView {
    let env = dotenv(&lease.credentials);
    let copied = RwSignal::new(String::new());
    let copy = move |what: String, text: String| {
        copy_text(&text);
        copied.set(what);
    };
    view! {
        <div class="issued">
            <p class="warning" role="note">
                <strong>"Copy these now."</strong>
                " The values will not be displayed again."
            </p>
            <dl class="facts">
                <dt>"Lease ID"</dt><dd class="mono">{lease.lease.id.clone()}</dd>
                <dt>"Expires"</dt><dd><Time at=lease.lease.expires_at.clone()/>" UTC"</dd>
            </dl>
            <ul class="credentials" aria-label="Credentials">
                {lease.credentials.iter().map(|(key, value)| {
                    let shown = RwSignal::new(false);
                    let (k1, k2, k3, v1, v2) = (key.clone(), key.clone(), key.clone(), value.clone(), value.clone());
                    let masked = "•".repeat(value.chars().count().clamp(8, 24));
                    view! {
                        <li>
                            <span class="mono key">{key.clone()}</span>
                            <code class="value" aria-label=format!("Value of {key}")>
                                {move || if shown.get() { v1.clone() } else { masked.clone() }}
                            </code>
                            <button type="button" class="small"
                                aria-label=move || format!("{} {k3}", if shown.get() { "Hide" } else { "Show" })
                                on:click=move |_| shown.update(|s| *s = !*s)>
                                {move || if shown.get() { "Hide" } else { "Show" }}
                            </button>
                            <button type="button" class="small" aria-label=format!("Copy {key}")
                                on:click=move |_| copy(k1.clone(), v2.clone())>
                                {move || if copied.get() == k2 { "Copied" } else { "Copy" }}
                            </button>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <div class="actions">
                <button type="button" on:click=move |_| copy(".env".into(), env.clone())>
                    {move || if copied.get() == ".env" { "Copied as .env" } else { "Copy all as .env" }}
                </button>
                <button type="button" class="primary" on:click=move |_| open.set(false)>"Done"</button>
            </div>
        </div>
    }
}
