//! `/healthz`: liveness.

use axum::Json;

use super::wire::Health;

/// Liveness: answers while the server runs. Needs no credentials.
#[utoipa::path(get, path = "/healthz", security(()), responses((status = 200, body = Health)))]
pub(super) async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
    })
}
