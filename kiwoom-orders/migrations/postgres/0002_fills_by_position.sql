-- A fill recorded after a later fill of the same stock makes the append fold that position
-- again from all its fills in execution order: find them without scanning every fill.
CREATE INDEX fills_by_position ON fills (account, stock);
