//! Schema migrations shipped with the crate, applied in order on open; each backend records
//! the versions it applied in `schema_migrations`. A change is a new file, never an edit of
//! an applied one.

pub(crate) const SQLITE: &[(i64, &str)] = &[
    (1, include_str!("../../migrations/sqlite/0001_init.sql")),
    (
        2,
        include_str!("../../migrations/sqlite/0002_fills_by_position.sql"),
    ),
];

pub(crate) const POSTGRES: &[(i64, &str)] = &[
    (1, include_str!("../../migrations/postgres/0001_init.sql")),
    (
        2,
        include_str!("../../migrations/postgres/0002_fills_by_position.sql"),
    ),
];
