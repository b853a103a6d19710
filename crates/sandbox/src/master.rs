//! Master data: the company, its items, customers and suppliers, and the scale of trading
//! each size implies.

use std::sync::Arc;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime};
use rust_decimal::Decimal;

use crate::chart::{self, TAX_RATES};
use crate::config::{Config, Size};
use crate::model::{
    Address, AddressKind, Company, Contact, Currency, Id, Item, ItemKind, Party, Text,
};
use crate::money::{cents, pence, round2};
use crate::rng::Rng;
use crate::words::{self, ARCHETYPES, CITIES, City, SupplierRole, UK_CITIES};

/// Stream tags: each kind of decision draws from its own streams.
pub(crate) mod tag {
    pub const COMPANY: u64 = 1;
    pub const ITEM: u64 = 2;
    pub const ITEM_RISE: u64 = 3;
    pub const CUSTOMER: u64 = 4;
    pub const SUPPLIER: u64 = 5;
    pub const CONTACT_EDIT: u64 = 6;
    pub const PLAN: u64 = 7;
    pub const DOCUMENT: u64 = 8;
    pub const FX: u64 = 9;
    pub const STAFF: u64 = 10;
    pub const RECURRING: u64 = 12;
}

/// How much trading a size means, per month.
#[derive(Clone, Debug)]
pub(crate) struct Scale {
    /// Thousandths of an invoice per month (so small sizes can have fractions).
    pub invoices_milli: u64,
    pub stock_bills_milli: u64,
    pub other_bills_milli: u64,
    pub spends_milli: u64,
    pub new_customers_milli: u64,
    pub prospects_milli: u64,
    pub initial_customers: u32,
    pub stock_suppliers: u32,
    pub subcontractors: u32,
    pub items: u32,
    /// Minimum head count (0: a sole trader); the books size it to their sales.
    pub staff: u32,
    /// Per mille of invoices raised from a sales order.
    pub sales_orders: u32,
    /// Per mille of stock bills raised from a purchase order.
    pub purchase_orders: u32,
    /// Whether the business trades abroad (EUR and USD customers and accounts).
    pub foreign: bool,
    /// Whether it keeps a savings account with a monthly sweep.
    pub savings: bool,
    /// Monthly rent (0: works from home).
    pub rent: Decimal,
    /// Monthly energy bill base (0: none).
    pub energy: Decimal,
    /// Bank loan outstanding at the start (0: none).
    pub loan: Decimal,
    /// Cash at the start.
    pub opening_cash: Decimal,
    /// Share capital.
    pub share_capital: Decimal,
    /// Office and computer equipment at cost at the start.
    pub equipment: (Decimal, Decimal),
    /// Multiplier for ad-hoc bill amounts (percent).
    pub bill_scale: i64,
    /// Whether software comes as a monthly bill (otherwise it is paid by card ad hoc).
    pub software_bill: bool,
}

impl Scale {
    pub(crate) fn for_size(size: Size) -> Self {
        match size {
            Size::Small => Self {
                invoices_milli: 2_400,
                stock_bills_milli: 300,
                other_bills_milli: 250,
                spends_milli: 1_000,
                new_customers_milli: 150,
                prospects_milli: 60,
                initial_customers: 8,
                stock_suppliers: 1,
                subcontractors: 0,
                items: 8,
                staff: 0,
                // A few repeat customers order ahead; stock is ordered from the one supplier.
                sales_orders: 120,
                purchase_orders: 300,
                foreign: false,
                savings: false,
                rent: Decimal::ZERO,
                energy: Decimal::ZERO,
                loan: Decimal::ZERO,
                opening_cash: pence(850_000),
                share_capital: pence(10_000),
                equipment: (pence(120_000), pence(240_000)),
                bill_scale: 40,
                software_bill: false,
            },
            Size::Medium => Self {
                invoices_milli: 210_000,
                stock_bills_milli: 40_000,
                other_bills_milli: 14_000,
                spends_milli: 60_000,
                new_customers_milli: 4_000,
                prospects_milli: 500,
                initial_customers: 150,
                stock_suppliers: 6,
                subcontractors: 4,
                items: 30,
                staff: 4,
                sales_orders: 150,
                purchase_orders: 400,
                foreign: true,
                savings: true,
                rent: pence(350_000),
                energy: pence(42_000),
                loan: pence(6_000_000),
                opening_cash: pence(6_500_000),
                share_capital: pence(100_000),
                equipment: (pence(850_000), pence(1_400_000)),
                bill_scale: 100,
                software_bill: true,
            },
            Size::Large => Self {
                invoices_milli: 4_500_000,
                stock_bills_milli: 800_000,
                other_bills_milli: 250_000,
                spends_milli: 900_000,
                new_customers_milli: 60_000,
                prospects_milli: 3_000,
                initial_customers: 2_500,
                stock_suppliers: 30,
                subcontractors: 15,
                items: 80,
                staff: 40,
                sales_orders: 250,
                purchase_orders: 600,
                foreign: true,
                savings: true,
                rent: pence(2_200_000),
                energy: pence(380_000),
                loan: pence(40_000_000),
                opening_cash: pence(60_000_000),
                share_capital: pence(5_000_000),
                equipment: (pence(9_500_000), pence(16_000_000)),
                bill_scale: 250,
                software_bill: true,
            },
        }
    }
}

/// A timestamp on `date` at `secs` seconds past midnight (UTC).
pub(crate) fn at(date: NaiveDate, secs: u32) -> NaiveDateTime {
    let time = NaiveTime::from_num_seconds_from_midnight_opt(secs.min(86_399), 0)
        .unwrap_or(NaiveTime::MIN);
    date.and_time(time)
}

/// A random time in business hours, as seconds past midnight.
pub(crate) fn business_secs(rng: &mut Rng) -> u32 {
    rng.between(8 * 3600, 18 * 3600 + 59 * 60) as u32
}

/// `date + days` (saturating at the calendar's ends).
pub(crate) fn add_days(date: NaiveDate, days: i64) -> NaiveDate {
    date.checked_add_signed(Duration::days(days))
        .unwrap_or(date)
}

/// The first day of the month `months` after the month of `date`.
pub(crate) fn month_start(start: NaiveDate, months: u32) -> NaiveDate {
    let total = start.year() * 12 + start.month0() as i32 + months as i32;
    NaiveDate::from_ymd_opt(total.div_euclid(12), total.rem_euclid(12) as u32 + 1, 1)
        .unwrap_or(start)
}

/// The last day of the month of `date`.
pub(crate) fn month_end(date: NaiveDate) -> NaiveDate {
    add_days(month_start(date, 1), -1)
}

/// Whole months from the month of `from` to the month of `to`.
pub(crate) fn months_between(from: NaiveDate, to: NaiveDate) -> i64 {
    i64::from(to.year() - from.year()) * 12 + i64::from(to.month()) - i64::from(from.month())
}

fn slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for word in name.split_whitespace() {
        if matches!(word, "Ltd" | "LLP" | "Limited" | "&" | "Co" | "The") {
            continue;
        }
        out.extend(
            word.chars()
                .filter(char::is_ascii_alphanumeric)
                .map(|c| c.to_ascii_lowercase()),
        );
    }
    if out.is_empty() {
        out.push_str("mail");
    }
    out
}

/// A phone number in the city's drama range.
pub(crate) fn phone(rng: &mut Rng, city: &City) -> String {
    if city.phone.ends_with("01") {
        format!("{}{:02}", city.phone, rng.below(100))
    } else {
        format!("{}0{:03}", city.phone, rng.below(1000))
    }
}

/// A mobile number in Ofcom's drama range.
pub(crate) fn mobile(rng: &mut Rng) -> String {
    format!("07700 900{:03}", rng.below(1000))
}

fn postcode(rng: &mut Rng, city: &City) -> String {
    const LETTERS: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";
    if city.uk {
        format!(
            "{} {}{}{}",
            city.postcode,
            rng.below(10),
            char::from(*rng.pick(LETTERS)),
            char::from(*rng.pick(LETTERS))
        )
    } else if city.currency == 1 && city.postcode.ends_with(' ') {
        format!(
            "{}{}{}",
            city.postcode,
            char::from(*rng.pick(LETTERS)),
            char::from(*rng.pick(LETTERS))
        )
    } else {
        format!("{}{:02}", city.postcode, rng.below(100))
    }
}

/// A street address in a city.
pub(crate) fn address(rng: &mut Rng, city: &City, kind: AddressKind) -> Address {
    let line1 = format!(
        "{} {} {}",
        rng.between(1, 240),
        rng.pick(words::STREETS),
        rng.pick(words::STREET_KINDS)
    );
    let line2 = rng.chance(300).then(|| Text::from(*rng.pick(words::UNITS)));
    Address {
        kind,
        line1: line1.into(),
        line2,
        city: city.name.into(),
        region: city.region.into(),
        country: city.country.into(),
        postal_code: postcode(rng, city).into(),
    }
}

fn person(rng: &mut Rng) -> (&'static str, &'static str) {
    (*rng.pick(words::FIRST_NAMES), *rng.pick(words::SURNAMES))
}

fn email(first: &str, last: &str, domain: &str, style: u64) -> String {
    let first = first.to_ascii_lowercase();
    let last: String = last
        .chars()
        .filter(char::is_ascii_alphabetic)
        .collect::<String>()
        .to_ascii_lowercase();
    match style {
        0 => format!("{first}.{last}@{domain}"),
        1 => format!("{first}@{domain}"),
        2 => format!("{}{last}@{domain}", &first[..1]),
        _ => format!("accounts@{domain}"),
    }
}

/// Draws the company: name, line of business and registration details.
pub(crate) fn company(config: &Config) -> (Company, usize) {
    let mut rng = Rng::derive(config.seed.0, tag::COMPANY, 0, 0);
    let archetype = rng.index(ARCHETYPES.len());
    let spec = &ARCHETYPES[archetype];
    let name = match rng.below(3) {
        0 => format!("{} {}", rng.pick(words::SURNAMES), spec.trade),
        1 => format!("{} {}", rng.pick(words::BUSINESS_ADJECTIVES), spec.trade),
        _ => format!(
            "{} & {} {}",
            rng.pick(words::SURNAMES),
            rng.pick(words::SURNAMES),
            spec.trade
        ),
    };
    let city = &CITIES[rng.index(UK_CITIES)];
    let created_days = rng.between(400, 2_500);
    let fy_month = config.financial_year_start_month;
    let start = config.start;
    let fy_year = if start.month() >= fy_month {
        start.year()
    } else {
        start.year() - 1
    };
    let financial_year_start = NaiveDate::from_ymd_opt(fy_year, fy_month, 1).unwrap_or(start);
    let company = Company {
        legal_name: format!("{name} Ltd").into(),
        website: format!("https://www.{}.co.uk", slug(&name)).into(),
        name: name.into(),
        registration_number: format!("{:08}", rng.between(4_000_000, 14_999_999)).into(),
        tax_number: format!("GB{:09}", rng.between(100_000_000, 999_999_999)).into(),
        address: address(&mut rng, city, AddressKind::Billing),
        phone: phone(&mut rng, city).into(),
        base_currency: Currency::Gbp,
        financial_year_start,
        books_start: start,
        created: at(add_days(start, -created_days), business_secs(&mut rng)),
        line_of_business: spec.description.into(),
    };
    (company, archetype)
}

/// An item and the history of its prices.
pub(crate) struct ItemState {
    pub id: Id,
    pub code: Text,
    pub name: Text,
    pub kind: ItemKind,
    pub unit: &'static str,
    pub qty: (i64, i64),
    pub price: Decimal,
    pub cost: Option<Decimal>,
    pub sales_account: Id,
    pub purchase_account: Id,
    pub tax: usize,
    pub created: NaiveDateTime,
    /// Price rises: (date, new price, new cost), in date order, drawn far ahead.
    pub rises: Vec<(NaiveDateTime, Decimal, Option<Decimal>)>,
}

impl ItemState {
    /// Sale price and cost on a date.
    pub(crate) fn prices_on(&self, date: NaiveDate) -> (Decimal, Option<Decimal>) {
        let mut current = (self.price, self.cost);
        for (when, price, cost) in &self.rises {
            if when.date() > date {
                break;
            }
            current = (*price, *cost);
        }
        current
    }

    /// The item as the books show it just before `cutoff`.
    pub(crate) fn record(&self, cutoff: NaiveDate) -> Item {
        let last = add_days(cutoff, -1);
        let (sale_price, purchase_price) = self.prices_on(last);
        let modified = self
            .rises
            .iter()
            .take_while(|(when, _, _)| when.date() <= last)
            .last()
            .map_or(self.created, |r| r.0);
        Item {
            id: self.id,
            code: self.code.clone(),
            name: self.name.clone(),
            kind: self.kind,
            unit: self.unit,
            sale_price,
            purchase_price,
            sales_account: self.sales_account,
            purchase_account: self.purchase_account,
            tax_rate: self.tax as Id + 1,
            created: self.created,
            modified,
        }
    }
}

/// Rounds a price to the nearest 5p.
fn to_5p(d: Decimal) -> Decimal {
    cents(round2(d * Decimal::from(20)).round() / Decimal::from(20))
}

/// Draws the catalogue. Prices rise once a year by 2–8%, for ten years ahead.
pub(crate) fn items(config: &Config, archetype: usize, count: u32) -> Vec<ItemState> {
    let spec = &ARCHETYPES[archetype];
    let accounts = chart::Accounts::resolve();
    (0..count)
        .map(|i| {
            let id = Id::from(i) + 1;
            let mut rng = Rng::derive(config.seed.0, tag::ITEM, id, 0);
            let base = &spec.items[i as usize % spec.items.len()];
            let round = i as usize / spec.items.len();
            let name = if round == 0 {
                base.name.to_string()
            } else {
                let variant = spec.variants[(round - 1 + i as usize) % spec.variants.len()];
                if round > spec.variants.len() {
                    format!("{} {} {}", base.name, variant, round)
                } else {
                    format!("{} {}", base.name, variant)
                }
            };
            let price = to_5p(
                pence(base.price_pence) * Decimal::from(rng.between(80, 125)) / Decimal::from(100),
            );
            let cost = (!base.service).then(|| {
                cents(round2(
                    price * Decimal::from(rng.between(42, 65)) / Decimal::from(100),
                ))
            });
            let created = at(
                add_days(config.start, -rng.between(30, 700)),
                business_secs(&mut rng),
            );
            let mut rises = Vec::new();
            let (mut p, mut c) = (price, cost);
            for year in 1..=10i64 {
                let mut r = Rng::derive(config.seed.0, tag::ITEM_RISE, id, year as u64);
                let when = at(
                    add_days(created.date(), 365 * year + r.between(-20, 20)),
                    business_secs(&mut r),
                );
                let pct = Decimal::from(100 + r.between(2, 8)) / Decimal::from(100);
                p = to_5p(p * pct);
                c = c.map(|c| cents(round2(c * pct)));
                rises.push((when, p, c));
            }
            let code_prefix: String = base
                .name
                .chars()
                .filter(char::is_ascii_uppercase)
                .take(3)
                .collect();
            ItemState {
                id,
                code: format!(
                    "{}-{:03}",
                    if code_prefix.is_empty() {
                        "ITM"
                    } else {
                        &code_prefix
                    },
                    id
                )
                .into(),
                name: name.into(),
                kind: if base.service {
                    ItemKind::Service
                } else {
                    ItemKind::NonInventory
                },
                unit: base.unit,
                qty: base.qty,
                price,
                cost,
                sales_account: if base.service {
                    accounts.sales_services
                } else {
                    accounts.sales_goods
                },
                purchase_account: accounts.cost_of_goods,
                tax: base.tax,
                created,
                rises,
            }
        })
        .collect()
}

/// A customer or supplier: what documents need at once, plus how to draw its record.
pub(crate) struct ContactState {
    pub party: Party,
    pub id: Id,
    pub name: Text,
    pub created: NaiveDateTime,
    pub currency: Currency,
    pub terms: u32,
    /// 0 prompt … 3 very late payer.
    pub reliability: u8,
    pub region: usize,
    pub city: usize,
    pub address: Address,
    pub archived: Option<NaiveDateTime>,
    /// Edits (contact changes), in date order.
    pub edits: Vec<NaiveDateTime>,
    /// Supplier's role; `None` for customers.
    pub role: Option<SupplierRole>,
    /// For suppliers: the account and tax rate its bills post to.
    pub account: Id,
    pub tax: usize,
    /// A prospect: created, never traded with, deleted later.
    pub deleted: Option<NaiveDateTime>,
}

/// Names used so far, to keep contact names unique.
#[derive(Default)]
pub(crate) struct NameRegistry(std::collections::HashSet<Text>);

impl NameRegistry {
    fn claim(&mut self, name: String, rng: &mut Rng, city: &City) -> Text {
        let mut candidate = name;
        let mut n = 1;
        while self.0.contains(candidate.as_str()) {
            n += 1;
            candidate = if n == 2 {
                format!("{candidate} ({})", city.name)
            } else {
                format!("{candidate} {}", rng.between(2, 99))
            };
        }
        let text: Text = candidate.into();
        self.0.insert(text.clone());
        text
    }
}

/// Draws a customer created at `created`.
pub(crate) fn customer(
    config: &Config,
    id: Id,
    created: NaiveDateTime,
    foreign: bool,
    prospect: bool,
    names: &mut NameRegistry,
) -> ContactState {
    let mut rng = Rng::derive(config.seed.0, tag::CUSTOMER, id, 0);
    let city_index = if foreign && rng.chance(180) {
        UK_CITIES + rng.index(CITIES.len() - UK_CITIES)
    } else {
        rng.index(UK_CITIES)
    };
    let city = &CITIES[city_index];
    let name = match rng.weighted(&[35, 20, 25, 15, 5]) {
        0 => format!(
            "{} {} {}",
            rng.pick(words::BUSINESS_ADJECTIVES),
            rng.pick(words::BUSINESS_NOUNS),
            rng.pick(words::LEGAL_SUFFIXES)
        ),
        1 => format!(
            "{} & {} {}",
            rng.pick(words::SURNAMES),
            rng.pick(words::SURNAMES),
            rng.pick(words::LEGAL_SUFFIXES)
        ),
        2 => format!(
            "{} {}",
            rng.pick(words::SURNAMES),
            rng.pick(words::BUSINESS_NOUNS)
        ),
        3 => format!(
            "The {} {}",
            rng.pick(words::BUSINESS_ADJECTIVES),
            rng.pick(words::BUSINESS_NOUNS)
        ),
        _ => {
            let (first, last) = person(&mut rng);
            format!("{first} {last}")
        }
    };
    let name = names.claim(name, &mut rng, city);
    let currency = match city.currency {
        1 => Currency::Eur,
        2 => Currency::Usd,
        _ => Currency::Gbp,
    };
    let terms = *rng.pick(&[7u32, 14, 30, 30, 30, 60]);
    let reliability = rng.weighted(&[40, 35, 20, 5]) as u8;
    let address = address(&mut rng, city, AddressKind::Billing);
    let archived = (id > 3 && !prospect && rng.chance(50)).then(|| {
        at(
            add_days(created.date(), rng.between(200, 700)),
            business_secs(&mut rng),
        )
    });
    let deleted = prospect.then(|| {
        at(
            add_days(created.date(), rng.between(2, 60)),
            business_secs(&mut rng),
        )
    });
    let edits = edits(config, Party::Customer, id, created);
    ContactState {
        party: Party::Customer,
        id,
        name,
        created,
        currency,
        terms,
        reliability,
        region: city.sales_region,
        city: city_index,
        address,
        archived,
        edits,
        role: None,
        account: 0,
        tax: 0,
        deleted,
    }
}

fn edits(config: &Config, party: Party, id: Id, created: NaiveDateTime) -> Vec<NaiveDateTime> {
    let salt = match party {
        Party::Customer => 0,
        Party::Supplier => 1 << 40,
    };
    let mut rng = Rng::derive(config.seed.0, tag::CONTACT_EDIT, salt | id, 0);
    let mut out = Vec::new();
    let mut date = created.date();
    for _ in 0..4 {
        date = add_days(date, rng.between(60, 420));
        out.push(at(date, business_secs(&mut rng)));
    }
    out
}

/// Draws a supplier with a role, created at `created`.
pub(crate) fn supplier(
    config: &Config,
    id: Id,
    role: SupplierRole,
    currency: Currency,
    created: NaiveDateTime,
    names: &mut NameRegistry,
) -> ContactState {
    let mut rng = Rng::derive(config.seed.0, tag::SUPPLIER, id, 0);
    let city_index = match currency {
        Currency::Gbp => rng.index(UK_CITIES),
        Currency::Eur => UK_CITIES + rng.index(3),
        Currency::Usd => UK_CITIES + 3 + rng.index(2),
    };
    let city = &CITIES[city_index];
    let trade = rng.pick(words::supplier_trade(role));
    let name = if role == SupplierRole::Hmrc {
        "HM Revenue & Customs".to_string()
    } else if role == SupplierRole::Subcontractor && rng.chance(500) {
        let (first, last) = person(&mut rng);
        format!("{first} {last} {trade}")
    } else {
        let lead = if rng.chance(500) {
            *rng.pick(words::SURNAMES)
        } else {
            *rng.pick(words::BUSINESS_ADJECTIVES)
        };
        format!("{lead} {trade} {}", rng.pick(words::LEGAL_SUFFIXES))
    };
    let name = names.claim(name, &mut rng, city);
    let a = |code| chart::account(code);
    let (account, tax) = match role {
        SupplierRole::Stock => (a("5000"), if currency == Currency::Gbp { 0 } else { 2 }),
        SupplierRole::Subcontractor => (a("5010"), 0),
        SupplierRole::Courier => (a("5100"), 0),
        SupplierRole::Landlord => (a("7100"), 0),
        SupplierRole::Energy => (a("7200"), 1),
        SupplierRole::Telecom => (a("7502"), 0),
        SupplierRole::Software => (a("7504"), if currency == Currency::Gbp { 0 } else { 2 }),
        SupplierRole::Accountant => (a("7600"), 0),
        SupplierRole::Insurance => (a("7104"), 3),
        SupplierRole::Marketing => (a("6100"), 0),
        SupplierRole::Stationery => (a("7500"), 0),
        SupplierRole::Equipment => (a("0040"), 0),
        SupplierRole::Repairs => (a("7800"), 0),
        SupplierRole::Hmrc => (a("2200"), 3),
    };
    let terms = match role {
        SupplierRole::Landlord | SupplierRole::Hmrc => 0,
        SupplierRole::Energy | SupplierRole::Telecom => 14,
        _ => *rng.pick(&[14u32, 30, 30, 45]),
    };
    let address = address(&mut rng, city, AddressKind::Billing);
    let edits = edits(config, Party::Supplier, id, created);
    ContactState {
        party: Party::Supplier,
        id,
        name,
        created,
        currency,
        terms,
        reliability: 0,
        region: city.sales_region,
        city: city_index,
        address,
        archived: None,
        edits,
        role: Some(role),
        account,
        tax,
        deleted: None,
    }
}

impl ContactState {
    /// Whether documents can be raised to or from it on `date`.
    pub(crate) fn active_on(&self, date: NaiveDate) -> bool {
        self.deleted.is_none() && self.archived.is_none_or(|a| a.date() > date)
    }

    /// The record as of just before `cutoff`: contact details follow the edits made so far.
    pub(crate) fn record(&self, config: &Config, cutoff: NaiveDate) -> Contact {
        let city = &CITIES[self.city];
        let version = self.edits.iter().filter(|e| e.date() < cutoff).count() as u64;
        let salt = match self.party {
            Party::Customer => 0,
            Party::Supplier => 1 << 40,
        };
        // Person and email change on even versions, phone on odd ones; each version's values
        // come from their own stream so earlier versions never shift.
        let person_version = version & !1;
        let mut prng = Rng::derive(
            config.seed.0,
            tag::CONTACT_EDIT,
            salt | self.id,
            100 + person_version,
        );
        let (first, last) = person(&mut prng);
        let domain = format!("{}.{}", slug(&self.name), city.tld);
        let style = prng.below(4);
        let email = email(first, last, &domain, style);
        let mut phone_rng = Rng::derive(
            config.seed.0,
            tag::CONTACT_EDIT,
            salt | self.id,
            200 + (version | 1),
        );
        let phone = phone(&mut phone_rng, city);
        let mobile = (city.uk && phone_rng.chance(600)).then(|| Text::from(mobile(&mut phone_rng)));
        let mut drng = Rng::derive(config.seed.0, tag::CONTACT_EDIT, salt | self.id, 300);
        let mut addresses = vec![self.address.clone()];
        if self.party == Party::Customer && drng.chance(250) {
            addresses.push(address(&mut drng, city, AddressKind::Delivery));
        }
        let limited = self.name.ends_with("Ltd")
            || self.name.ends_with("Limited")
            || self.name.ends_with("LLP");
        let registration_number =
            limited.then(|| Text::from(format!("{:08}", drng.between(1_000_000, 15_999_999))));
        let tax_number = (city.uk && drng.chance(700) || self.role == Some(SupplierRole::Hmrc))
            .then(|| Text::from(format!("GB{:09}", drng.between(100_000_000, 999_999_999))));
        let archived = self.archived.filter(|a| a.date() < cutoff);
        let last_edit = self.edits.iter().rfind(|e| e.date() < cutoff).copied();
        let modified = [Some(self.created), last_edit, archived]
            .into_iter()
            .flatten()
            .max()
            .unwrap_or(self.created);
        Contact {
            party: self.party,
            id: self.id,
            name: self.name.clone(),
            contact_person: format!("{first} {last}").into(),
            email: email.into(),
            phone: phone.into(),
            mobile,
            addresses,
            currency: self.currency,
            registration_number,
            tax_number,
            terms_days: self.terms,
            archived: archived.is_some(),
            created: self.created,
            modified,
        }
    }
}

/// Annual salaries of the staff.
pub(crate) fn staff(config: &Config, count: u32) -> Vec<Decimal> {
    (0..count)
        .map(|i| {
            let mut rng = Rng::derive(config.seed.0, tag::STAFF, u64::from(i), 0);
            Decimal::from(rng.between(23_000, 62_000) / 100 * 100)
        })
        .collect()
}

/// Tax percentage of a tax rate index.
pub(crate) fn tax_percent(tax: usize) -> Decimal {
    Decimal::from(TAX_RATES.get(tax).map_or(0, |t| t.2))
}

/// Shared text for a `&'static str`.
pub(crate) fn text(s: &str) -> Text {
    Arc::from(s)
}
