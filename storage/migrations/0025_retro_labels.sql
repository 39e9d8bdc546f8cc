-- Whether a retro answer was filed under its question by a label its
-- author wrote ("worked: …"): such an answer stays where it was put,
-- while one filed by the prompt its author was taken to have seen moves
-- when that prompt turns out to have been recorded late. Answers kept
-- before this are taken as unlabelled.
ALTER TABLE retro_answers ADD COLUMN labelled INTEGER NOT NULL DEFAULT 0;
