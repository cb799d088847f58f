-- Order journal, SQLite. Events are append-only (enforced by triggers); orders and positions
-- are snapshots kept in the same transaction as the event that changes them.

CREATE TABLE orders (
    client_order_id TEXT PRIMARY KEY,
    account         TEXT NOT NULL,
    stock           TEXT NOT NULL,
    trade_date      TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    state           TEXT NOT NULL,
    version         INTEGER NOT NULL,
    snapshot        TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX orders_by_state ON orders (state, created_at);
CREATE INDEX orders_by_account_date ON orders (account, trade_date);

CREATE TABLE order_events (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    client_order_id TEXT NOT NULL REFERENCES orders (client_order_id),
    order_seq       INTEGER NOT NULL,
    source          TEXT NOT NULL,
    kind            TEXT NOT NULL,
    body            TEXT NOT NULL,
    raw             TEXT NOT NULL,
    recorded_at     TEXT NOT NULL,
    UNIQUE (client_order_id, order_seq)
);

CREATE TRIGGER order_events_no_update BEFORE UPDATE ON order_events
BEGIN SELECT RAISE(ABORT, 'order_events is append-only'); END;
CREATE TRIGGER order_events_no_delete BEFORE DELETE ON order_events
BEGIN SELECT RAISE(ABORT, 'order_events is append-only'); END;

-- Kiwoom numbers orders per account and trading day; one number belongs to one order.
CREATE TABLE order_numbers (
    account         TEXT NOT NULL,
    trade_date      TEXT NOT NULL,
    order_no        TEXT NOT NULL,
    client_order_id TEXT NOT NULL REFERENCES orders (client_order_id),
    PRIMARY KEY (account, trade_date, order_no)
);

-- The primary key is the fill key: a replayed fill cannot be inserted twice.
CREATE TABLE fills (
    account         TEXT NOT NULL,
    trade_date      TEXT NOT NULL,
    order_no        TEXT NOT NULL,
    fill_no         TEXT NOT NULL,
    client_order_id TEXT NOT NULL REFERENCES orders (client_order_id),
    stock           TEXT NOT NULL,
    side            TEXT NOT NULL,
    quantity        INTEGER NOT NULL CHECK (quantity > 0),
    price           TEXT NOT NULL,
    fee             TEXT,
    tax             TEXT,
    filled_at       TEXT NOT NULL,
    venue           TEXT,
    cumulative_quantity INTEGER,
    event_seq       INTEGER NOT NULL REFERENCES order_events (seq),
    PRIMARY KEY (account, trade_date, order_no, fill_no)
);
CREATE INDEX fills_by_date ON fills (trade_date, event_seq);

CREATE TABLE positions (
    account    TEXT NOT NULL,
    stock      TEXT NOT NULL,
    quantity   INTEGER NOT NULL,
    snapshot   TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (account, stock)
);
