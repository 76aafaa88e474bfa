//! Create and Configure: one two-step form built from the provider's
//! metadata, so a new provider needs no UI code. Step 1 is the provider and
//! its connection; step 2 the name, TTLs and output keys.
use std::collections::BTreeMap;

use leptos::prelude::*;
use serde_json::{Map, Value};

use super::modal::Modal;
use super::{human_secs, parse_secs};
use crate::api::{create_dynamic_secret, update_dynamic_secret};
use crate::components::FormError;
use crate::dto::{ConfigFieldDto, DynamicSecretDto, DynamicSecretInput, ProviderDto};
use crate::error::AppError;

/// The New Secret menu of an environment; its Dynamic Secret item opens the
/// create form, or says why it cannot (plan, server-side encryption).
#[island]
pub fn NewSecretMenu(
    env_id: String,
    providers: Vec<ProviderDto>,
    enterprise: bool,
    sse: bool,
    settings_href: String,
) -> impl IntoView {
    let menu = RwSignal::new(false);
    let open = RwSignal::new(false);
    let item = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if menu.get() {
            if let Some(b) = item.get() {
                let _ = b.focus();
            }
        }
    });
    let pick = move |_| {
        if enterprise {
            menu.set(false);
            open.set(true);
        }
    };
    let note = if enterprise {
        "Credentials created on demand, for a limited time."
    } else {
        "Dynamic secrets require the Enterprise plan."
    };
    view! {
        <div class="menu-wrap">
            <button type="button" class="primary" aria-haspopup="menu" aria-expanded=move || menu.get().to_string()
                on:click=move |_| menu.update(|m| *m = !*m)>
                "New Secret"
            </button>
            <Show when=move || menu.get()>
                <div role="menu" class="menu" aria-label="New Secret"
                    on:keydown=move |ev| if ev.key() == "Escape" { menu.set(false) }>
                    <button type="button" role="menuitem" node_ref=item aria-disabled=(!enterprise).to_string()
                        aria-describedby="new-dynamic-note" on:click=pick>
                        <strong>"Dynamic Secret"</strong>
                        <span id="new-dynamic-note" class="hint">{note}</span>
                    </button>
                </div>
            </Show>
            <Modal open title="New dynamic secret".to_string()>
                {if sse {
                    // Built afresh at every opening: nothing typed outlives the dialog.
                    let (providers, env_id) = (providers.clone(), env_id.clone());
                    view! { <Show when=move || open.get()><SecretForm providers=providers.clone() existing=None env_id=env_id.clone() open/></Show> }.into_any()
                } else {
                    view! {
                        <div class="notice" role="note">
                            "Server-side encryption must be enabled for this app before it can hold dynamic secrets. "
                            "Switch it on in the app's " <a href=settings_href.clone()>"Settings"</a> " tab."
                        </div>
                    }.into_any()
                }}
            </Modal>
        </div>
    }
}

/// Configure next to a secret: the same form with the current values.
#[island]
pub fn ConfigureSecret(secret: DynamicSecretDto, provider: ProviderDto) -> impl IntoView {
    let open = RwSignal::new(false);
    let (label, title) = (format!("Configure {}", secret.name), format!("Configure {}", secret.name));
    view! {
        <button type="button" class="small" aria-label=label on:click=move |_| open.set(true)>"Configure"</button>
        <Modal open title>
            <Show when=move || open.get()>
                <SecretForm providers=vec![provider.clone()] existing=Some(secret.clone()) env_id=String::new() open/>
            </Show>
        </Modal>
    }
}

/// What the person typed, as text; converted when they press Finish.
#[derive(Clone, Copy)]
struct Draft {
    provider: RwSignal<Option<ProviderDto>>,
    config: RwSignal<BTreeMap<String, String>>,
    name: RwSignal<String>,
    description: RwSignal<String>,
    max_ttl: RwSignal<String>,
    default_ttl: RwSignal<String>,
    outputs: RwSignal<BTreeMap<String, String>>,
}

fn as_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

impl Draft {
    fn new(existing: Option<&DynamicSecretDto>, provider: Option<ProviderDto>) -> Self {
        let d = Draft {
            provider: RwSignal::new(None),
            config: RwSignal::new(BTreeMap::new()),
            name: RwSignal::new(String::new()),
            description: RwSignal::new(String::new()),
            max_ttl: RwSignal::new("86400".into()),
            default_ttl: RwSignal::new("3600".into()),
            outputs: RwSignal::new(BTreeMap::new()),
        };
        if let Some(p) = &provider {
            d.choose(p);
        }
        if let Some(s) = existing {
            let values = s.config.as_object().into_iter().flatten().map(|(k, v)| (k.clone(), as_text(v)));
            d.config.set(values.collect());
            d.name.set(s.name.clone());
            d.description.set(s.description.clone());
            d.max_ttl.set(s.max_ttl.to_string());
            d.default_ttl.set(s.default_ttl.to_string());
            d.outputs.set(s.outputs.clone());
        }
        d
    }

    /// Picks a provider: its defaults fill the connection fields and output keys.
    fn choose(&self, p: &ProviderDto) {
        let defaults = p.config_fields.iter().map(|f| (f.id.clone(), f.default.clone().unwrap_or_default()));
        self.config.set(defaults.collect());
        self.outputs.set(p.outputs.iter().map(|o| (o.id.clone(), o.default_key.clone())).collect());
        self.provider.set(Some(p.clone()));
    }

    /// Why the TTLs cannot be saved, if they cannot (checked as they are typed).
    fn ttl_problem(&self) -> Option<String> {
        let (max, default) = (parse_secs(&self.max_ttl.get()), parse_secs(&self.default_ttl.get()));
        match (max, default) {
            (None, _) | (Some(..=0), _) => Some("Max TTL must be a whole number of seconds, at least 1.".into()),
            (_, None) | (_, Some(..=0)) => Some("Default TTL must be a whole number of seconds, at least 1.".into()),
            (Some(max), Some(default)) if default > max => {
                Some(format!("Default TTL must not exceed the Max TTL ({}).", human_secs(max)))
            }
            _ => None,
        }
    }

    fn input(&self, creating: bool) -> Result<DynamicSecretInput, AppError> {
        let provider = self.provider.get().ok_or_else(|| AppError::bad_request("Choose a provider."))?;
        let values = self.config.get();
        let mut config = Map::new();
        for f in &provider.config_fields {
            let raw = values.get(&f.id).cloned().unwrap_or_default();
            // Passwords are sent exactly as typed; other text is trimmed.
            let text = if f.secret { raw.clone() } else { raw.trim().to_string() };
            let value = match f.kind.as_str() {
                "boolean" => Value::Bool(text == "true"),
                "number" if text.is_empty() => continue,
                "number" => text
                    .parse::<i64>()
                    .map(Value::from)
                    .map_err(|_| AppError::bad_request(format!("{} must be a whole number.", f.label)))?,
                // Templates keep their line breaks and spacing as typed.
                "textarea" => Value::String(raw),
                _ => Value::String(text),
            };
            config.insert(f.id.clone(), value);
        }
        if let Some(problem) = self.ttl_problem() {
            return Err(AppError::bad_request(problem));
        }
        Ok(DynamicSecretInput {
            name: Some(self.name.get().trim().to_string()),
            description: Some(self.description.get().trim().to_string()),
            provider: creating.then(|| provider.kind.clone()),
            config: Some(Value::Object(config)),
            default_ttl: parse_secs(&self.default_ttl.get()),
            max_ttl: parse_secs(&self.max_ttl.get()),
            outputs: Some(self.outputs.get()),
        })
    }
}

/// Creates (with `existing` None, in `env_id`) or configures a dynamic secret;
/// reloads the page once saved. Errors stay in the dialog, the form intact.
#[component]
fn SecretForm(
    providers: Vec<ProviderDto>,
    existing: Option<DynamicSecretDto>,
    env_id: String,
    open: RwSignal<bool>,
) -> impl IntoView {
    let creating = existing.is_none();
    let single = (!creating).then(|| providers.first().cloned()).flatten();
    let draft = Draft::new(existing.as_ref(), single);
    let prefix = existing.as_ref().map(|s| s.id.clone()).unwrap_or_else(|| "new".into());
    let (max_id, default_id) = (format!("{prefix}-max-ttl"), format!("{prefix}-default-ttl"));
    let secret_id = existing.as_ref().map(|s| s.id.clone()).unwrap_or_default();
    let step = RwSignal::new(1u8);
    let local_error = RwSignal::new(None::<AppError>);
    let save = Action::new(move |input: &DynamicSecretInput| {
        let (input, env_id, secret_id) = (input.clone(), env_id.clone(), secret_id.clone());
        async move {
            if creating {
                create_dynamic_secret(env_id, input).await.map(|_| ())
            } else {
                update_dynamic_secret(secret_id, input).await.map(|_| ())
            }
        }
    });
    Effect::new(move |_| {
        if matches!(save.value().get(), Some(Ok(()))) {
            open.set(false);
            let _ = window().location().reload();
        }
    });
    let errors = Signal::derive(move || local_error.get().map(Err).or_else(|| save.value().get()));
    let finish = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match draft.input(creating) {
            Ok(input) => {
                local_error.set(None);
                save.dispatch(input);
            }
            Err(e) => local_error.set(Some(e)),
        }
    };
    let ttl_problem = Signal::derive(move || draft.ttl_problem());
    let step_class = move |n: u8| if step.get() == n { "current" } else { "" };
    view! {
        <ol class="steps" aria-label="Steps">
            <li class=move || step_class(1) aria-current=move || (step.get() == 1).then_some("step")>"Provider"</li>
            <li class=move || step_class(2) aria-current=move || (step.get() == 2).then_some("step")>"Secret"</li>
        </ol>
        <Show when=move || step.get() == 1>
            <form class="form" aria-label="Provider" on:submit=move |ev| { ev.prevent_default(); step.set(2); }>
                {creating.then(|| view! { <ProviderChoice providers=providers.clone() draft/> })}
                {
                    let prefix = prefix.clone();
                    move || draft.provider.get().map(|p| {
                        // Optional templates and statements fold away under Advanced.
                        let (advanced, basic): (Vec<_>, Vec<_>) =
                            p.config_fields.iter().cloned().partition(|f| f.kind == "textarea" && !f.required);
                        let in_use = draft.config.with_untracked(|c| {
                            advanced.iter().any(|f| c.get(&f.id).is_some_and(|v| !v.is_empty()))
                        });
                        let field = |f: ConfigFieldDto| {
                            view! { <ConfigField field=f draft configuring=!creating prefix=prefix.clone()/> }
                        };
                        view! {
                            <fieldset class="fields">
                                <legend>{format!("{} connection", p.name)}</legend>
                                {basic.into_iter().map(field).collect_view()}
                                {(!advanced.is_empty()).then(|| view! {
                                    <details class="advanced" open=in_use>
                                        <summary>"Advanced: name template and statements"</summary>
                                        {advanced.into_iter().map(field).collect_view()}
                                    </details>
                                })}
                            </fieldset>
                        }
                    })
                }
                <div class="actions">
                    <button type="submit" class="primary" disabled=move || draft.provider.get().is_none()>"Next"</button>
                </div>
            </form>
        </Show>
        <Show when=move || step.get() == 2>
            <form class="form" aria-label="Secret" on:submit=finish>
                <label>"Secret Name"
                    <input required maxlength="100" autocomplete="off" prop:value=draft.name
                        on:input=move |ev| draft.name.set(event_target_value(&ev))/>
                </label>
                <label>"Description"
                    <input maxlength="500" autocomplete="off" prop:value=draft.description
                        on:input=move |ev| draft.description.set(event_target_value(&ev))/>
                </label>
                <div class="row2">
                    <TtlField label="Max TTL" value=draft.max_ttl id=max_id.clone()/>
                    <TtlField label="Default TTL" value=draft.default_ttl id=default_id.clone()/>
                </div>
                <p class="field-error" role="alert">{move || ttl_problem.get()}</p>
                <fieldset class="fields">
                    <legend>"Outputs"</legend>
                    <p class="hint">"Each credential the provider returns is given to you under this key name."</p>
                    {move || draft.provider.get().map(|p| p.outputs.into_iter().map(|o| {
                        let id = o.id.clone();
                        let id2 = o.id.clone();
                        view! {
                            <label class="output">
                                <span class="mono">{o.id.clone()}</span>
                                <input class="mono" required maxlength="64" pattern="[A-Z_][A-Z0-9_]*"
                                    title="A-Z, 0-9 and _, not starting with a digit"
                                    aria-label=format!("Key for {}", o.id)
                                    prop:value=move || draft.outputs.with(|m| m.get(&id).cloned().unwrap_or_default())
                                    on:input=move |ev| {
                                        let v = event_target_value(&ev);
                                        draft.outputs.update(|m| { m.insert(id2.clone(), v); });
                                    }/>
                            </label>
                        }
                    }).collect_view())}
                </fieldset>
                <FormError value=errors/>
                <div class="actions">
                    <button type="button" on:click=move |_| step.set(1)>"Back"</button>
                    <button type="submit" class="primary"
                        disabled=move || ttl_problem.get().is_some() || save.pending().get()>
                        {move || if save.pending().get() { "Checking the connection…" } else { "Finish" }}
                    </button>
                </div>
            </form>
        </Show>
    }
}

/// The provider cards of step 1 (create only).
#[component]
fn ProviderChoice(providers: Vec<ProviderDto>, draft: Draft) -> impl IntoView {
    view! {
        <fieldset class="provider-choice">
            <legend>"Choose a provider, and then fill in the required fields."</legend>
            {providers.into_iter().map(|p| {
                let (kind, name) = (p.kind.clone(), p.name.clone());
                let checked = move || draft.provider.with(|c| c.as_ref().is_some_and(|c| c.kind == kind));
                view! {
                    <label class="provider-card">
                        <input type="radio" name="provider" prop:checked=checked
                            on:change=move |_| draft.choose(&p)/>
                        <span>{name}</span>
                    </label>
                }
            }).collect_view()}
        </fieldset>
    }
}

/// One configuration field, drawn from its metadata.
#[component]
fn ConfigField(field: ConfigFieldDto, draft: Draft, configuring: bool, prefix: String) -> impl IntoView {
    let id = field.id.clone();
    let value = Signal::derive(move || draft.config.with(|c| c.get(&id).cloned().unwrap_or_default()));
    let id = field.id.clone();
    let set = move |v: String| {
        draft.config.update(|c| {
            c.insert(id.clone(), v);
        })
    };
    let help_id = format!("{prefix}-{}-help", field.id);
    let described = (!field.help.is_empty()).then(|| help_id.clone());
    // A stored secret is never sent back: blank keeps it.
    let required = field.required && !(configuring && field.secret);
    let control = match field.kind.as_str() {
        "password" => view! {
            <input type="password" autocomplete="new-password" required=required aria-describedby=described
                placeholder=if configuring { "Unchanged — type to replace" } else { "" }
                prop:value=value on:input=move |ev| set(event_target_value(&ev))/>
        }
        .into_any(),
        "number" => view! {
            <input type="number" step="1" inputmode="numeric" required=required aria-describedby=described
                min=field.min max=field.max prop:value=value on:input=move |ev| set(event_target_value(&ev))/>
        }
        .into_any(),
        "boolean" => view! {
            <input type="checkbox" aria-describedby=described prop:checked=move || value.get() == "true"
                on:change=move |ev| set(event_target_checked(&ev).to_string())/>
        }
        .into_any(),
        "textarea" => view! {
            <textarea rows="3" class="mono" spellcheck="false" required=required aria-describedby=described
                prop:value=value on:input=move |ev| set(event_target_value(&ev))></textarea>
        }
        .into_any(),
        "select" => view! {
            <select required=required aria-describedby=described on:change=move |ev| set(event_target_value(&ev))>
                {field.options.iter().map(|o| {
                    let (o1, o2) = (o.clone(), o.clone());
                    view! { <option value=o1 selected=move || value.get() == o2>{o.clone()}</option> }
                }).collect_view()}
            </select>
        }
        .into_any(),
        _ => view! {
            <input type="text" autocomplete="off" spellcheck="false" required=required aria-describedby=described
                prop:value=value on:input=move |ev| set(event_target_value(&ev))/>
        }
        .into_any(),
    };
    let class = if field.kind == "boolean" { "check" } else { "" };
    view! {
        <label class=class>
            <span>{field.label.clone()}{required.then(|| view! { <span class="req" aria-hidden="true">" *"</span> })}</span>
            {control}
        </label>
        {(!field.help.is_empty()).then(|| view! { <p class="hint" id=help_id>{field.help.clone()}</p> })}
    }
}

/// A TTL in seconds with its human reading.
#[component]
fn TtlField(label: &'static str, value: RwSignal<String>, id: String) -> impl IntoView {
    let reading = move || parse_secs(&value.get()).filter(|s| *s > 0).map(human_secs).unwrap_or_default();
    view! {
        <div class="field">
            <label>
                <span>{label} " " <span class="muted">"(seconds)"</span></span>
                <input type="number" min="1" step="1" inputmode="numeric" required aria-describedby=id.clone()
                    prop:value=value on:input=move |ev| value.set(event_target_value(&ev))/>
            </label>
            <p class="hint" id=id aria-live="polite">{reading}</p>
        </div>
    }
}
