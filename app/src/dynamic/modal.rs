//! A modal dialog on the native `<dialog>`: `showModal()` makes the rest of
//! the page inert and Escape closes it; Tab is kept inside (the native modal
//! would let it wander off to the browser's own controls).
use leptos::html::Dialog;
use leptos::prelude::*;

#[component]
pub fn Modal(
    /// Open while true; set false when the dialog closes (Escape, ✕ or a button).
    open: RwSignal<bool>,
    #[prop(into)] title: Signal<String>,
    children: Children,
) -> impl IntoView {
    let node = NodeRef::<Dialog>::new();
    Effect::new(move |_| {
        let Some(d) = node.get() else { return };
        match (open.get(), d.open()) {
            (true, false) => {
                let _ = d.show_modal();
            }
            (false, true) => d.close(),
            _ => {}
        }
    });
    view! {
        <dialog node_ref=node class="modal" aria-label=title on:close=move |_| open.set(false)
            on:keydown=move |ev| {
                #[cfg(feature = "hydrate")]
                if let Some(d) = node.get_untracked() {
                    trap_tab(&d, &ev);
                }
                #[cfg(not(feature = "hydrate"))]
                let _ = ev;
            }>
            <div class="modal-head">
                <h2>{title}</h2>
                <button type="button" class="icon" aria-label="Close" on:click=move |_| open.set(false)>"✕"</button>
            </div>
            {children()}
        </dialog>
    }
}

/// Moves Tab from the last focusable control to the first, and Shift+Tab back.
#[cfg(feature = "hydrate")]
fn trap_tab(dialog: &web_sys::HtmlDialogElement, ev: &leptos::ev::KeyboardEvent) {
    use leptos::wasm_bindgen::JsCast;
    const FOCUSABLE: &str = "button:not([disabled]), [href], input:not([disabled]), select:not([disabled]), \
                             textarea:not([disabled])";
    if ev.key() != "Tab" {
        return;
    }
    let Ok(list) = dialog.query_selector_all(FOCUSABLE) else { return };
    let items: Vec<web_sys::HtmlElement> = (0..list.length()).filter_map(|i| list.item(i)?.dyn_into().ok()).collect();
    let (Some(first), Some(last)) = (items.first(), items.last()) else { return };
    let active = document().active_element();
    let at = |e: &web_sys::HtmlElement| active.as_ref().is_some_and(|a| a == e.unchecked_ref::<web_sys::Element>());
    let target = match (ev.shift_key(), at(first), at(last)) {
        (true, true, _) => last,
        (false, _, true) => first,
        _ => return,
    };
    ev.prevent_default();
    let _ = target.focus();
}
