//! The organisation's own message templates (P47) on [`SqlStore`]: one row per kind it
//! replaced (`0009_templates`); a kind without a row uses the built-in template.

use rounds_core::audit::{Change, body_digest};
use rounds_core::model::{OrgId, UserId};
use rounds_core::outreach::{Template, TemplateKind};
use sqlx::Row;

use crate::body::Body;
use crate::sql::{SqlStore, commit, require};
use crate::{StoreError, StoredTemplate};

impl SqlStore {
    pub(crate) async fn q_templates(&self, org: OrgId) -> Result<Vec<StoredTemplate>, StoreError> {
        let mut conn = self.conn().await?;
        let rows = sqlx::query(
            "SELECT kind, body, updated_at, updated_by FROM message_templates \
             WHERE org_id = $1 ORDER BY kind",
        )
        .bind(org.0)
        .fetch_all(&mut *conn)
        .await
        .map_err(StoreError::db("reading message templates"))?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let (body, updated_at, updated_by): (String, i64, Option<i64>) =
                (|| Ok::<_, sqlx::Error>((row.try_get(1)?, row.try_get(2)?, row.try_get(3)?)))()
                    .map_err(StoreError::db("reading message templates"))?;
            let template = Template::from_body(&body).map_err(|source| StoreError::Corrupt {
                table: "message_templates",
                id: 0,
                source,
            })?;
            out.push(StoredTemplate {
                template,
                updated_at,
                updated_by: updated_by.map(UserId),
            });
        }
        Ok(out)
    }

    pub(crate) async fn q_save_template(
        &self,
        org: OrgId,
        template: &Template,
        at: i64,
        by: Option<UserId>,
    ) -> Result<(), StoreError> {
        let body = template.to_body().map_err(|source| StoreError::Encode {
            what: "template",
            id: template.kind.to_string(),
            source,
        })?;
        let mut tx = self.write_tx().await?;
        if let Some(by) = by {
            require(&mut tx, org, "user", "users", by.0).await?;
        }
        let before: Option<(String,)> = sqlx::query_as(
            "DELETE FROM message_templates WHERE org_id = $1 AND kind = $2 RETURNING body",
        )
        .bind(org.0)
        .bind(template.kind.as_str())
        .fetch_optional(&mut *tx)
        .await
        .map_err(StoreError::db("replacing a message template"))?;
        sqlx::query(
            "INSERT INTO message_templates (org_id, kind, body, updated_at, updated_by) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(org.0)
        .bind(template.kind.as_str())
        .bind(body.as_str())
        .bind(at)
        .bind(by.map(|u| u.0))
        .execute(&mut *tx)
        .await
        .map_err(StoreError::db("storing a message template"))?;
        let change = Change::write(
            "template",
            template.kind,
            before.map(|(b,)| body_digest(&b)),
            Some(body_digest(&body)),
        );
        crate::audit::append(&mut tx, org, self.acting(), vec![change]).await?;
        commit(tx, "message_templates").await
    }

    pub(crate) async fn q_delete_template(
        &self,
        org: OrgId,
        kind: TemplateKind,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let gone: Option<(String,)> = sqlx::query_as(
            "DELETE FROM message_templates WHERE org_id = $1 AND kind = $2 RETURNING body",
        )
        .bind(org.0)
        .bind(kind.as_str())
        .fetch_optional(&mut *tx)
        .await
        .map_err(StoreError::db("deleting a message template"))?;
        let Some((body,)) = gone else {
            return Ok(false);
        };
        let change = Change::write("template", kind, Some(body_digest(&body)), None);
        crate::audit::append(&mut tx, org, self.acting(), vec![change]).await?;
        commit(tx, "message_templates").await?;
        Ok(true)
    }
}
