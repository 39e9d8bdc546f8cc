-- The SQLite store's 0021 keeps plan ids from being given twice. Here the
-- plans table's identity column never gives an id twice already, so there
-- is nothing to do.
SELECT 1;
