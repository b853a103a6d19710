//! Codat's unified accounting data model, starting with the two value types every record
//! uses: exact decimal amounts ([`Money`]) and dates in whichever of Codat's forms the source
//! wrote them ([`CodatDateTime`]).

pub mod datetime;
pub mod money;

pub use datetime::{CodatDateTime, DateTimeError, DateTimeForm};
pub use money::{Money, MoneyError};
