//! A record's document as reads select it: the `doc` column itself, whatever the backend.
//!
//! PostgreSQL stores the served text. SQLite stores JSONB, which [`super::jsonb`] turns into
//! text as each row is decoded (on the runtime's thread, while the connection's thread reads
//! the next rows); a document it declines is kept as stored and converted by SQLite's
//! `json()` afterwards ([`Store::served_text`]).

use sqlx::error::BoxDynError;
use sqlx::postgres::{PgTypeInfo, PgValueRef};
use sqlx::sqlite::{SqliteTypeInfo, SqliteValueRef};
use sqlx::{Decode, Postgres, Sqlite, Type, TypeInfo, ValueRef};

use super::jsonb;
use crate::pool::Backend;
use crate::{Result, Store, StoreError};

/// One stored document, read.
pub(crate) enum StoredDoc {
    Text(String),
    /// JSONB that [`jsonb::to_text`] declined.
    Jsonb(Vec<u8>),
}

impl Type<Sqlite> for StoredDoc {
    fn type_info() -> SqliteTypeInfo {
        <Vec<u8> as Type<Sqlite>>::type_info()
    }

    fn compatible(ty: &SqliteTypeInfo) -> bool {
        <Vec<u8> as Type<Sqlite>>::compatible(ty)
    }
}

impl<'r> Decode<'r, Sqlite> for StoredDoc {
    fn decode(value: SqliteValueRef<'r>) -> std::result::Result<Self, BoxDynError> {
        if value.type_info().name() == "TEXT" {
            return Ok(Self::Text(<String as Decode<Sqlite>>::decode(value)?));
        }
        let bytes = <&[u8] as Decode<Sqlite>>::decode(value)?;
        Ok(match jsonb::to_text(bytes) {
            Some(text) => Self::Text(text),
            None => Self::Jsonb(bytes.to_vec()),
        })
    }
}

impl Type<Postgres> for StoredDoc {
    fn type_info() -> PgTypeInfo {
        <String as Type<Postgres>>::type_info()
    }

    fn compatible(ty: &PgTypeInfo) -> bool {
        <String as Type<Postgres>>::compatible(ty)
    }
}

impl<'r> Decode<'r, Postgres> for StoredDoc {
    fn decode(value: PgValueRef<'r>) -> std::result::Result<Self, BoxDynError> {
        Ok(Self::Text(<String as Decode<Postgres>>::decode(value)?))
    }
}

impl Store {
    /// The served text of documents read as [`StoredDoc`]s, in order.
    pub(crate) async fn served_texts(
        &self,
        docs: impl IntoIterator<Item = StoredDoc>,
    ) -> Result<Vec<String>> {
        let docs = docs.into_iter();
        let mut out = Vec::with_capacity(docs.size_hint().0);
        for doc in docs {
            out.push(self.served_text(doc).await?);
        }
        Ok(out)
    }

    /// The served text of a document read as a [`StoredDoc`].
    pub(crate) async fn served_text(&self, doc: StoredDoc) -> Result<String> {
        let blob = match doc {
            StoredDoc::Text(text) => return Ok(text),
            StoredDoc::Jsonb(blob) => blob,
        };
        let Backend::Sqlite { read, .. } = &self.backend else {
            return Err(StoreError::corrupt("a PostgreSQL document read as JSONB"));
        };
        let (text,): (String,) = sqlx::query_as("SELECT json($1)")
            .bind(blob)
            .fetch_one(read)
            .await?;
        Ok(text)
    }
}
