-- Order journal, PostgreSQL. Same model as the SQLite schema; several processes may append
-- at once: appends lock the order row (SELECT ... FOR UPDATE) and then the position row, in
-- that order, so they serialise per order without deadlocks; unique keys make a fill or an
-- order number count once whichever process sees it first.

CREATE TABLE orders (
    client_order_id TEXT PRIMARY KEY,
    account         TEXT NOT NULL,
    stock           TEXT NOT NULL,
    trade_date      DATE NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    state           TEXT NOT NULL,
    version         BIGINT NOT NULL,
    snapshot        JSONB NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX orders_by_state ON orders (state, created_at);
CREATE INDEX orders_by_account_date ON orders (account, trade_date);

CREATE TABLE order_events (
    seq             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_order_id TEXT NOT NULL REFERENCES orders (client_order_id),
    order_seq       BIGINT NOT NULL,
    source          TEXT NOT NULL,
    kind            TEXT NOT NULL,
    body            JSONB NOT NULL,
    raw             JSONB NOT NULL,
    recorded_at     TIMESTAMPTZ NOT NULL,
    UNIQUE (client_order_id, order_seq)
);

CREATE FUNCTION order_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'order_events is append-only';
END;
$$;
CREATE TRIGGER order_events_no_change BEFORE UPDATE OR DELETE ON order_events
    FOR EACH ROW EXECUTE FUNCTION order_events_append_only();

CREATE TABLE order_numbers (
    account         TEXT NOT NULL,
    trade_date      DATE NOT NULL,
    order_no        TEXT NOT NULL,
    client_order_id TEXT NOT NULL REFERENCES orders (client_order_id),
    PRIMARY KEY (account, trade_date, order_no)
);

CREATE TABLE fills (
    account         TEXT NOT NULL,
    trade_date      DATE NOT NULL,
    order_no        TEXT NOT NULL,
    fill_no         TEXT NOT NULL,
    client_order_id TEXT NOT NULL REFERENCES orders (client_order_id),
    stock           TEXT NOT NULL,
    side            TEXT NOT NULL,
    quantity        BIGINT NOT NULL CHECK (quantity > 0),
    price           NUMERIC NOT NULL,
    fee             NUMERIC,
    tax             NUMERIC,
    filled_at       TIMESTAMPTZ NOT NULL,
    venue           TEXT,
    cumulative_quantity BIGINT,
    event_seq       BIGINT NOT NULL REFERENCES order_events (seq),
    PRIMARY KEY (account, trade_date, order_no, fill_no)
);
CREATE INDEX fills_by_date ON fills (trade_date, event_seq);

CREATE TABLE positions (
    account    TEXT NOT NULL,
    stock      TEXT NOT NULL,
    quantity   BIGINT NOT NULL,
    snapshot   JSONB NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (account, stock)
);
