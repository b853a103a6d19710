//! The public face of the generator: [`Books`], its [`Snapshot`]s at each sync, and the
//! [`Records`] stream.

use std::collections::VecDeque;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::config::{Config, ConfigError, Seed};
use crate::engine::Engine;
use crate::master::{self, ItemState, Scale, add_days, month_start};
use crate::model::{Company, Id, Record, RecordKind};
use crate::rng::mix64;

/// One company's books: everything that follows from a [`Config`]. Cheap to build (only the
/// company and its catalogue are drawn); records are generated when a snapshot is streamed.
pub struct Books {
    pub(crate) config: Config,
    pub(crate) company: Company,
    pub(crate) scale: Scale,
    pub(crate) items: Vec<ItemState>,
    pub(crate) staff: Vec<Decimal>,
}

impl Books {
    /// The books for a configuration.
    pub fn new(config: Config) -> Result<Self, ConfigError> {
        config.validate()?;
        let scale = Scale::for_size(config.size);
        let (company, archetype) = master::company(&config);
        let items = master::items(&config, archetype, scale.items);
        let staff = master::staff(&config, staff_for(&scale, &items));
        Ok(Self {
            config,
            company,
            scale,
            items,
            staff,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The company these books belong to.
    pub fn company(&self) -> &Company {
        &self.company
    }

    /// The first day *not* seen by sync `n`: sync 0 sees the configured months, each later
    /// sync `sync_interval_days` more.
    pub fn cutoff(&self, sync: u32) -> NaiveDate {
        let base = month_start(self.config.start, self.config.months);
        add_days(
            base,
            i64::from(sync) * i64::from(self.config.sync_interval_days),
        )
    }

    /// The books as sync number `sync` (0 = the first) sees them.
    pub fn at_sync(&self, sync: u32) -> Snapshot<'_> {
        Snapshot {
            books: self,
            sync,
            cutoff: self.cutoff(sync),
        }
    }
}

/// Head count that leaves a plausible net margin (about 10–15%): the business's expected
/// monthly sales, less what its goods cost and about a sixth for overheads, pays the staff. A
/// services business (no cost of goods) thus employs more people than a wholesaler with
/// the same sales. Sole traders (`small`) have no staff.
fn staff_for(scale: &Scale, items: &[ItemState]) -> u32 {
    if scale.staff == 0 || items.is_empty() {
        return 0;
    }
    // Lines pick items skewed to the front: P(i) = (2(n - i) - 1) / n².
    let n = items.len() as f64;
    let (mut value, mut cost) = (0.0, 0.0);
    for (i, item) in items.iter().enumerate() {
        let weight = (2.0 * (n - i as f64) - 1.0) / (n * n);
        let quantity = (item.qty.0 + item.qty.1) as f64 / 2.0;
        let price = item.price.to_string().parse::<f64>().unwrap_or(0.0);
        let line = weight * price * quantity;
        value += line;
        if item.cost.is_some() {
            cost += line * 0.53;
        }
    }
    // 2 lines an invoice on average; the figure only sizes the payroll, nothing is rounded
    // into the books from it.
    let sales = scale.invoices_milli as f64 / 1000.0 * 2.0 * value;
    let payroll = (sales * 0.72 - cost * scale.invoices_milli as f64 / 1000.0 * 2.0).max(0.0);
    let per_head = 42_500.0 * 1.11 / 12.0;
    ((payroll / per_head).round() as u32).clamp(scale.staff, 2_000)
}

/// The books as one sync sees them: every record that exists before the cut-off, in its
/// state at the cut-off, plus notices of the records deleted by then.
#[derive(Clone, Copy)]
pub struct Snapshot<'a> {
    books: &'a Books,
    sync: u32,
    cutoff: NaiveDate,
}

impl<'a> Snapshot<'a> {
    /// The sync number.
    pub fn sync(&self) -> u32 {
        self.sync
    }

    /// The first day not included.
    pub fn cutoff(&self) -> NaiveDate {
        self.cutoff
    }

    /// The books.
    pub fn books(&self) -> &'a Books {
        self.books
    }

    /// Streams every record and deletion notice. The order is fixed: setup data, then the
    /// timeline month by month (each document followed by its journal entries, credit notes
    /// and payments; bank lines at each month end), then accounts, bank accounts and the
    /// monthly statements, whose balances need the whole history.
    pub fn records(&self) -> Records<'a> {
        Records {
            engine: Engine::new(self.books, self.cutoff),
            out: VecDeque::new(),
        }
    }

    /// Streams the records of one kind (and the deletion notices of that kind).
    pub fn records_of(&self, kind: RecordKind) -> impl Iterator<Item = Record> + 'a {
        self.records().filter(move |r| r.kind() == kind)
    }
}

/// The stream of a snapshot's records. Holds only the generator's running state (open bank
/// movements, month totals, customers and suppliers), never the records already yielded.
pub struct Records<'a> {
    engine: Engine<'a>,
    out: VecDeque<Record>,
}

impl Iterator for Records<'_> {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        loop {
            if let Some(record) = self.out.pop_front() {
                return Some(record);
            }
            if !self.engine.step(&mut self.out) {
                return None;
            }
        }
    }
}

/// Turns the books' numeric ids into platform-style record ids.
///
/// Sandbox ids are UUID-shaped (version 4 layout) and derived from the seed, the kind and
/// the number, so they are stable across syncs and differ between seeds.
#[derive(Clone, Copy, Debug)]
pub struct Ids {
    salt: u64,
}

impl Ids {
    /// Ids for the books with this seed.
    pub fn new(seed: Seed) -> Self {
        Self {
            salt: mix64(seed.0 ^ 0x05ee_d1d5_u64),
        }
    }

    /// The id of record `id` of `kind`, e.g. `3f2b9c1e-8d4a-4c2e-9b1f-0a6d7e5c4b3a`.
    pub fn uuid(&self, kind: RecordKind, id: Id) -> String {
        let hi = mix64(self.salt ^ mix64((kind.index() as u64) << 56 ^ id));
        let lo = mix64(hi ^ id.rotate_left(17) ^ self.salt);
        let hi = (hi & 0xffff_ffff_ffff_0fff) | 0x0000_0000_0000_4000;
        let lo = (lo & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
        // Hand-rolled hex: ids are formatted millions of times when a large set is served.
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut out = String::with_capacity(36);
        for (i, nibble) in (0..32)
            .map(|i| {
                let word = if i < 16 { hi } else { lo };
                ((word >> (60 - 4 * (i % 16))) & 0xf) as usize
            })
            .enumerate()
        {
            if matches!(i, 8 | 12 | 16 | 20) {
                out.push('-');
            }
            out.push(char::from(HEX[nibble]));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_shaped_and_distinct() {
        let ids = Ids::new(Seed(42));
        let a = ids.uuid(RecordKind::Invoice, 1);
        assert_eq!(a.len(), 36);
        assert_eq!(a.as_bytes()[14], b'4');
        assert!(matches!(a.as_bytes()[19], b'8' | b'9' | b'a' | b'b'));
        assert_eq!(a.matches('-').count(), 4);
        assert_ne!(a, ids.uuid(RecordKind::Invoice, 2));
        assert_ne!(a, ids.uuid(RecordKind::Bill, 1));
        assert_ne!(a, Ids::new(Seed(43)).uuid(RecordKind::Invoice, 1));
        assert_eq!(a, Ids::new(Seed(42)).uuid(RecordKind::Invoice, 1));
    }
}
