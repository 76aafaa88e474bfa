//! The leases of a secret: a table with a live countdown to each expiry,
//! and the History, Renew and Revoke dialogs. Rows update in place from the
//! server's answers; a lease whose countdown reaches zero shows expired at
//! once and is then re-read until the server says how it ended.
use std::collections::HashMap;

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::modal::Modal;
use super::{countdown, epoch_ms, human_secs, now_ms, parse_secs};
use crate::api::{get_lease, lease_events, renew_lease, revoke_lease};
use crate::components::{FormError, Time};
use crate::dto::{LeaseDto, LeaseEventDto};

/// How often a lease that looks finished on this clock is re-read.
const REREAD_MS: i64 = 3000;

fn due(l: &LeaseDto, now: i64) -> bool {
    epoch_ms(&l.expires_at).is_some_and(|e| e <= now)
}

/// The status to show: an active lease past its expiry is expired here,
/// even before the server has finished revoking it.
fn shown_status(l: &LeaseDto, now: i64) -> String {
    if l.status == "active" && due(l, now) {
        "expired".into()
    } else {
        l.status.clone()
    }
}

/// Who may act on what, decided on the server too.
#[derive(Clone, Copy)]
struct Powers {
    manage: bool,
    can_lease: bool,
    enterprise: bool,
}

#[island]
pub fn LeasesTable(
    leases: Vec<LeaseDto>,
    me: String,
    manage: bool,
    can_lease: bool,
    enterprise: bool,
) -> impl IntoView {
    let rows = RwSignal::new(leases);
    let now = RwSignal::new(now_ms());
    let powers = Powers { manage, can_lease, enterprise };
    let mine = move |l: &LeaseDto| l.owner.kind == "user" && l.owner.id == me;
    let may_act = move |l: &LeaseDto| powers.manage || (powers.can_lease && mine(l));

    let reread = StoredValue::new(HashMap::<String, i64>::new());
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        gloo_timers::callback::Interval::new(1000, move || now.set(now_ms())).forget();
    });
    // Leases that look finished here but not yet on the server, and
    // revocations being retried, are re-read every few seconds.
    Effect::new(move |_| {
        let t = now.get();
        let stale: Vec<String> = rows.with_untracked(|rs| {
            rs.iter()
                .filter(|l| (l.status == "active" && due(l, t)) || l.status == "revoking" || l.status == "creating")
                .map(|l| l.id.clone())
                .collect()
        });
        for id in stale {
            let last = reread.with_value(|m| m.get(&id).copied()).unwrap_or(0);
            if t - last < REREAD_MS {
                continue;
            }
            reread.update_value(|m| {
                m.insert(id.clone(), t);
            });
            spawn_local(async move {
                if let Ok(fresh) = get_lease(id).await {
                    replace(rows, fresh);
                }
            });
        }
    });

    let history = RwSignal::new(None::<LeaseDto>);
    let renew = RwSignal::new(None::<LeaseDto>);
    let revoke = RwSignal::new(None::<LeaseDto>);
    view! {
        <div class="table-scroll">
            <table class="grid leases">
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Lease ID"</th>
                        <th scope="col">"Owner"</th>
                        <th scope="col">"Created"</th>
                        <th scope="col">"Expires"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col"><span class="sr-only">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {move || rows.get().into_iter().map(|l| {
                        let row = l.clone();
                        let expires = epoch_ms(&l.expires_at).unwrap_or(0);
                        let live = l.status == "active";
                        let act = may_act(&l);
                        let (r1, r2, r3) = (row.clone(), row.clone(), row.clone());
                        let status = Signal::derive(move || shown_status(&row, now.get()));
                        view! {
                            <tr aria-label=format!("Lease {}", l.name)>
                                <td data-label="Name">{l.name.clone()}</td>
                                <td data-label="Lease ID"><code class="small" title=l.id.clone()>{short_id(&l.id)}</code></td>
                                <td class="owner" data-label="Owner"><OwnerName name=l.owner.name.clone()/>
                                    {(l.owner.kind == "service_token").then_some(view! { <span class="muted">" (token)"</span> })}
                                </td>
                                <td data-label="Created"><Time at=l.created_at.clone()/></td>
                                <td data-label="Expires">
                                    <Time at=l.expires_at.clone()/>
                                    {(live || l.status == "expired").then(|| view! {
                                        <span class="countdown" role="timer" aria-label="Time left">
                                            {move || countdown(expires - now.get())}
                                        </span>
                                    })}
                                </td>
                                <td data-label="Status">
                                    <span class=move || format!("badge status-{}", status.get())>{status}</span>
                                    {l.revocation.as_ref().and_then(|r| r.last_error.clone()).filter(|_| l.status == "revoking").map(|e| view! {
                                        <p class="field-error small">{format!("Retrying: {e}")}</p>
                                    })}
                                </td>
                                <td class="row-actions">
                                    <button type="button" class="small" aria-label=format!("History of {}", l.name)
                                        on:click=move |_| history.set(Some(r1.clone()))>"History"</button>
                                    {(act && live && powers.enterprise).then(|| view! {
                                        <button type="button" class="small" aria-label=format!("Renew {}", l.name)
                                            disabled=move || expires <= now.get()
                                            on:click=move |_| renew.set(Some(r2.clone()))>"Renew"</button>
                                    })}
                                    {(act && live).then(|| view! {
                                        <button type="button" class="small danger" aria-label=format!("Revoke {}", l.name)
                                            on:click=move |_| revoke.set(Some(r3.clone()))>"Revoke"</button>
                                    })}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <HistoryDialog target=history/>
        <RenewDialog target=renew rows now/>
        <RevokeDialog target=revoke rows/>
    }
}

/// The first block of a lease id, as tables show it; the full id is in the
/// title, the History and the Revoke dialog.
fn short_id(id: &str) -> String {
    format!("{}…", id.split('-').next().unwrap_or(id))
}

/// The API names a person `Name <e-mail>`: the name first, the address below it.
#[component]
fn OwnerName(name: String) -> impl IntoView {
    match name.split_once(" <") {
        Some((who, mail)) => {
            view! { {who.to_string()} <span class="muted small email">{mail.trim_end_matches('>').to_string()}</span> }
                .into_any()
        }
        None => name.into_any(),
    }
}

fn replace(rows: RwSignal<Vec<LeaseDto>>, fresh: LeaseDto) {
    rows.update(|rs| {
        if let Some(r) = rs.iter_mut().find(|r| r.id == fresh.id) {
            *r = fresh;
        }
    });
}

/// An open signal for a dialog that shows `target` while it is set.
fn open_while_set(target: RwSignal<Option<LeaseDto>>) -> RwSignal<bool> {
    // Signals notify on every set, so each side only writes a real change.
    let open = RwSignal::new(false);
    Effect::new(move |_| {
        let want = target.with(Option::is_some);
        if open.get_untracked() != want {
            open.set(want);
        }
    });
    Effect::new(move |_| {
        if !open.get() && target.with_untracked(Option::is_some) {
            target.set(None);
        }
    });
    open
}

fn title_for(target: RwSignal<Option<LeaseDto>>, what: &'static str) -> Signal<String> {
    Signal::derive(move || target.with(|t| t.as_ref().map(|l| format!("{what} {}", l.name)).unwrap_or_default()))
}

#[component]
fn HistoryDialog(target: RwSignal<Option<LeaseDto>>) -> impl IntoView {
    let open = open_while_set(target);
    let events = Action::new(|id: &String| lease_events(id.clone()));
    Effect::new(move |_| {
        if let Some(l) = target.get() {
            events.value().set(None);
            events.dispatch(l.id);
        }
    });
    view! {
        <Modal open title=title_for(target, "History of")>
            <p class="small muted">"Lease ID " <code>{move || target.with(|t| t.as_ref().map(|l| l.id.clone()))}</code></p>
            {move || match events.value().get() {
                None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="form-error" role="alert">{e.message}</p> }.into_any(),
                Some(Ok(list)) => view! { <EventList events=list/> }.into_any(),
            }}
        </Modal>
    }
}

fn event_label(kind: &str) -> &str {
    match kind {
        "created" => "Created",
        "create_failed" => "Creation failed",
        "renewed" => "Renewed",
        "revoke_requested" => "Revocation requested",
        "revoke_failed" => "Revocation attempt failed",
        "revoked" => "Revoked",
        "expired" => "Expired",
        other => other,
    }
}

/// An event's detail object as `key: value` pairs.
fn detail_text(detail: &serde_json::Value) -> String {
    let Some(obj) = detail.as_object() else { return String::new() };
    obj.iter()
        .map(|(k, v)| match v {
            serde_json::Value::String(s) => format!("{}: {s}", k.replace('_', " ")),
            other => format!("{}: {other}", k.replace('_', " ")),
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

#[component]
fn EventList(events: Vec<LeaseEventDto>) -> impl IntoView {
    view! {
        <ol class="events" aria-label="Events">
            {events.into_iter().map(|e| view! {
                <li class=format!("event event-{}", e.kind)>
                    <div class="event-head">
                        <strong>{event_label(&e.kind).to_string()}</strong>
                        <Time at=e.at.clone()/>
                    </div>
                    <div class="event-who">
                        {e.actor.clone()}
                        {e.ip.clone().map(|ip| view! { <span class="muted">{format!(" · {ip}")}</span> })}
                    </div>
                    {e.user_agent.clone().map(|ua| view! { <div class="muted small ua">{ua}</div> })}
                    {Some(detail_text(&e.detail)).filter(|d| !d.is_empty()).map(|d| view! { <div class="small">{d}</div> })}
                </li>
            }).collect_view()}
        </ol>
    }
}

#[component]
fn RenewDialog(target: RwSignal<Option<LeaseDto>>, rows: RwSignal<Vec<LeaseDto>>, now: RwSignal<i64>) -> impl IntoView {
    let open = open_while_set(target);
    let ttl = RwSignal::new(String::new());
    let renew = Action::new(|(id, ttl): &(String, i64)| renew_lease(id.clone(), *ttl));
    Effect::new(move |_| {
        if let Some(l) = target.get() {
            ttl.set(l.available_ttl.min(3600).to_string());
            renew.value().set(None);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(l)) = renew.value().get() {
            replace(rows, l);
            target.set(None);
        }
    });
    let body = move || {
        let l = target.get()?;
        let available = l.available_ttl;
        let id = l.id.clone();
        let too_much = move || parse_secs(&ttl.get()).is_some_and(|t| t > available);
        let submit = move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if let Some(t) = parse_secs(&ttl.get()) {
                renew.dispatch((id.clone(), t));
            }
        };
        Some(view! {
            <p class="hint">"Provide a TTL in seconds, and click Renew. The available TTL for renewal is shown below."</p>
            <LeaseTimeBar lease=l.clone() now/>
            {if available == 0 {
                view! { <p class="notice" role="note">"This lease cannot be renewed any further: it has reached its Max TTL."</p> }.into_any()
            } else {
                view! {
                    <form class="form" aria-label="Renew" on:submit=submit>
                        <p>"Available TTL for renewal: " <strong>{format!("{} ({available} s)", human_secs(available))}</strong></p>
                        <label>
                            <span>"TTL " <span class="muted">"(seconds)"</span></span>
                            <input type="number" min="1" step="1" inputmode="numeric" required
                                aria-invalid=move || too_much().to_string()
                                prop:value=ttl on:input=move |ev| ttl.set(event_target_value(&ev))/>
                        </label>
                        <div class="chips" role="group" aria-label="Quick TTL choices">
                            <button type="button" class="chip" on:click=move |_| ttl.set(available.to_string())>"Max"</button>
                        </div>
                        <p class="field-error" role="alert">
                            {move || too_much().then(|| format!("That is more than the available TTL of {available} seconds."))}
                        </p>
                        <FormError value=renew.value()/>
                        <div class="actions">
                            <button type="button" on:click=move |_| target.set(None)>"Cancel"</button>
                            <button type="submit" class="primary" disabled=move || renew.pending().get()>"Renew"</button>
                        </div>
                    </form>
                }.into_any()
            }}
        })
    };
    view! { <Modal open title=title_for(target, "Renew")>{body}</Modal> }
}

/// Lease time used, left and still available for renewal, against the Max TTL.
#[component]
fn LeaseTimeBar(lease: LeaseDto, now: RwSignal<i64>) -> impl IntoView {
    let (c, e, m) = (
        epoch_ms(&lease.created_at).unwrap_or(0),
        epoch_ms(&lease.expires_at).unwrap_or(0),
        epoch_ms(&lease.max_expires_at).unwrap_or(0),
    );
    let span = (m - c).max(1) as f64;
    let pct = move |ms: i64| format!("{:.2}%", (ms.max(0) as f64 / span * 100.0).min(100.0));
    let used = move || now.get().clamp(c, e) - c;
    let summary = move || {
        format!(
            "Used {} of the Max TTL of {}; {} left before expiry; {} more available by renewal.",
            human_secs(used() / 1000),
            human_secs((m - c) / 1000),
            human_secs((e - now.get()).max(0) / 1000),
            human_secs((m - e) / 1000),
        )
    };
    view! {
        <div class="timebar" aria-hidden="true">
            <span class="used" style:width=move || pct(used())></span>
            <span class="left" style:width=move || pct(e - c - used())></span>
            <span class="avail" style:width=pct(m - e)></span>
        </div>
        <p class="small">{summary}</p>
        <p class="legend small" aria-hidden="true">
            <span class="key used"></span>"used " <span class="key left"></span>"left " <span class="key avail"></span>"available by renewal"
        </p>
    }
}

#[component]
fn RevokeDialog(target: RwSignal<Option<LeaseDto>>, rows: RwSignal<Vec<LeaseDto>>) -> impl IntoView {
    let open = open_while_set(target);
    let revoke = Action::new(|id: &String| revoke_lease(id.clone()));
    Effect::new(move |_| {
        if target.with(Option::is_some) {
            revoke.value().set(None);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(l)) = revoke.value().get() {
            replace(rows, l);
            target.set(None);
        }
    });
    let body = move || {
        let l = target.get()?;
        let id = l.id.clone();
        Some(view! {
            <p>"The credentials of this lease stop working at the provider now. This cannot be undone."</p>
            <dl class="facts">
                <dt>"Lease"</dt><dd>{l.name.clone()}</dd>
                <dt>"Lease ID"</dt><dd class="mono">{l.id.clone()}</dd>
                <dt>"Created"</dt><dd><Time at=l.created_at.clone()/></dd>
                <dt>"Expires"</dt><dd><Time at=l.expires_at.clone()/></dd>
            </dl>
            <FormError value=revoke.value()/>
            <div class="actions">
                <button type="button" on:click=move |_| target.set(None)>"Cancel"</button>
                <button type="button" class="danger" disabled=move || revoke.pending().get()
                    on:click=move |_| { revoke.dispatch(id.clone()); }>"Revoke lease"</button>
            </div>
        })
    };
    view! { <Modal open title=title_for(target, "Revoke")>{body}</Modal> }
}
