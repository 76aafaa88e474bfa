//! The browser entry point: hydrate the islands of the server-rendered page.

// Links the app crate so its #[island] components are exported to the page.
use app as _;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
