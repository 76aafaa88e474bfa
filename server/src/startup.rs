//! Wiring: state, router, layers, serving, shutdown.
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRef, Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use secrecy::ExposeSecret;
use tokio::net::TcpListener;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use app::api::ClientIp;
use app::ports::Backend;
use app::{shell, App};

use crate::auth::throttle::Throttle;
use crate::config::Config;
use crate::crypto::{Key, MasterKey};
use crate::error::ServerError;
use crate::rest::{self, ops};
use crate::services::Services;

#[derive(Clone)]
pub struct AppState {
    pub leptos: LeptosOptions,
    pub services: Arc<Services>,
    pub metrics: Arc<ops::Metrics>,
    pub trust_proxy: bool,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(s: &AppState) -> Self {
        s.leptos.clone()
    }
}

/// Opens the store (running migrations) and loads the master key.
pub async fn services(config: &Config) -> crate::error::Result<Services> {
    crate::providers::install_tls();
    // The data dir holds the embedded database and the master key file: owner only.
    let mut dir = std::fs::DirBuilder::new();
    dir.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut dir, 0o700);
    dir.create(&config.data_dir)
        .map_err(|e| ServerError::Internal(format!("cannot create {}: {e}", config.data_dir.display())))?;
    let db = crate::db::connect_and_migrate(&config.database_url).await?;
    tokio::spawn(crate::auth::password::warm_up());
    let master = match &config.master_key {
        Some(k) => MasterKey::new(Key::from_bytes(k.expose_secret())),
        None => MasterKey::load_or_create(&config.data_dir)?,
    };
    Ok(Services {
        db,
        master,
        throttle: Throttle::default(),
        signup: config.signup,
        session_ttl_secs: config.session_ttl_secs,
        secure_cookies: config.secure_cookies,
        providers: crate::providers::Registry::default(),
        max_ttl_secs: config.max_ttl_secs,
        lease_quota: config.lease_quota,
    })
}

pub fn router(config: &Config, services: Arc<Services>) -> Router {
    let leptos = LeptosOptions::builder()
        .output_name("leasehold")
        .site_root(config.site_root.display().to_string())
        .site_pkg_dir("pkg")
        .site_addr(config.addr)
        .env(leptos::config::Env::PROD)
        .build();
    let state = AppState {
        leptos: leptos.clone(),
        services: services.clone(),
        metrics: Arc::new(ops::Metrics::default()),
        trust_proxy: config.trust_proxy,
    };
    let backend: Arc<dyn Backend> = services;
    let routes = generate_route_list(App);
    Router::new()
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .nest(
            "/api/v1",
            rest::router()
                .layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))),
        )
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(backend.clone()),
            move || shell(leptos.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn_with_state(state.clone(), ops::count_requests))
        .layer(middleware::from_fn_with_state(state.clone(), client_ip))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Resolves the client address once, for audit records and throttling. The
/// `X-Forwarded-For` header is believed only behind a trusted proxy.
async fn client_ip(State(s): State<AppState>, mut req: Request, next: Next) -> Response {
    let forwarded = s
        .trust_proxy
        .then(|| req.headers().get("x-forwarded-for").and_then(|v| v.to_str().ok()))
        .flatten()
        .and_then(|v| v.split(',').next())
        .map(|ip| ip.trim().chars().take(64).collect::<String>());
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string());
    req.extensions_mut().insert(ClientIp(forwarded.or(peer)));
    next.run(req).await
}

/// Serves until `shutdown` resolves, finishing requests in flight.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
