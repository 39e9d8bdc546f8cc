-- What a KPI's baseline and target are counted over (flows.Period: 'week',
-- 'month', 'quarter', 'plan'), so the funnel compares visitors a month with
-- revenue a month, not with revenue over the plan. '' means not given; a
-- catalogue KPI then takes its definition's.
ALTER TABLE kpis ADD COLUMN period TEXT NOT NULL DEFAULT '';
