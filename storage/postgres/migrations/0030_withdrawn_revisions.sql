-- A withdrawn row names what it takes back by source; a co-answer typed in
-- the terminal has none, so its author's `yes` to the command its line
-- also read as takes it back by the revision it was given at (withdraws;
-- 0 for a row that names it by source).
ALTER TABLE answers ADD COLUMN withdraws INTEGER NOT NULL DEFAULT 0;
