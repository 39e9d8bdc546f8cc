-- The SQLite store's 0027 keeps action ids from being given twice. Here the
-- actions table's identity column never gives an id twice already, so
-- there is nothing to do.
SELECT 1;
